// V7: where a webhook may point. https only; no loopback, private, link-local, multicast,
// unspecified, carrier-grade NAT, cloud-metadata or other special-purpose address, whether written
// as an address or reached through a name. Checked at create/update and again at every attempt,
// against the addresses the name resolves to then; the attempt connects to a checked address only
// (server webhooks/post.ts), so a name that changes its answer (DNS rebinding) gains nothing.
// Ranges come from ipaddr.js: only its `unicast` range (ordinary public addresses) is allowed.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { userError, type UserError } from "../domain/user-error.ts";

export const MAX_WEBHOOK_URL_LENGTH = 2000;

/** Whether `address` (IPv4 or IPv6 text) is an ordinary public unicast address. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it carries.
  const parsed = ipaddr.process(address);
  return parsed.range() === "unicast";
}

export interface ResolvedTarget {
  url: URL;
  /** The host without IPv6 brackets. */
  host: string;
  /** Addresses checked for this attempt; connect to one of these only. */
  addresses: { address: string; family: 4 | 6 }[];
}

export type UrlVerdict = { ok: true; target: ResolvedTarget } | { ok: false; error: UserError };

const FIELD = ["input", "url"];

/** The URL's shape only (no DNS): https (or http when private targets are allowed), no credentials. */
export function webhookUrlShapeError(text: string, allowPrivate: boolean): UserError | null {
  if (text.length > MAX_WEBHOOK_URL_LENGTH) return userError("WEBHOOK_URL_INVALID", `A webhook URL has at most ${MAX_WEBHOOK_URL_LENGTH} characters.`, FIELD);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return userError("WEBHOOK_URL_INVALID", "Not a URL.", FIELD);
  }
  const schemes = allowPrivate ? ["https:", "http:"] : ["https:"];
  if (!schemes.includes(url.protocol)) return userError("WEBHOOK_URL_INVALID", "A webhook URL must use https.", FIELD);
  if (url.username || url.password) return userError("WEBHOOK_URL_INVALID", "A webhook URL may not carry a user name or password.", FIELD);
  if (!url.hostname) return userError("WEBHOOK_URL_INVALID", "A webhook URL needs a host.", FIELD);
  return null;
}

/** Shape, then the host's addresses (all of them, as the resolver answers now). */
export async function resolveWebhookUrl(text: string, allowPrivate: boolean): Promise<UrlVerdict> {
  const shape = webhookUrlShapeError(text, allowPrivate);
  if (shape) return { ok: false, error: shape };
  const url = new URL(text);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  let addresses: ResolvedTarget["addresses"];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) as 4 | 6 }];
  } else {
    try {
      const found = await lookup(host, { all: true, verbatim: true });
      addresses = found.map((a) => ({ address: a.address, family: a.family as 4 | 6 }));
    } catch {
      return { ok: false, error: userError("WEBHOOK_URL_INVALID", `The host ${host} does not resolve.`, FIELD) };
    }
    if (addresses.length === 0) return { ok: false, error: userError("WEBHOOK_URL_INVALID", `The host ${host} does not resolve.`, FIELD) };
  }
  if (!allowPrivate) {
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad) {
      return {
        ok: false,
        error: userError("WEBHOOK_URL_FORBIDDEN", `Webhooks may not be sent to ${bad.address === host ? bad.address : `${host} (${bad.address})`}: loopback, private, link-local, multicast and metadata addresses are refused.`, FIELD),
      };
    }
  }
  return { ok: true, target: { url, host, addresses } };
}
