// V5, V7: one HTTP attempt. The URL's host is resolved and every address checked now (url-policy.ts);
// the request then connects to the checked address only (a custom `lookup`), so an answer that
// changes between check and connect (DNS rebinding) is never used. Redirects are not followed
// (any 3xx is a failure); the whole attempt, body included, ends after timeoutMs.
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { resolveWebhookUrl } from "@simgate/schema/webhooks/url-policy";
import type { AttemptResult } from "@simgate/schema/webhooks/deliveries";

export interface PostOptions {
  timeoutMs: number;
  allowPrivate: boolean;
}

const MAX_ANSWER_BYTES = 64 * 1024;

export async function postWebhook(urlText: string, headers: Record<string, string>, body: string, options: PostOptions): Promise<AttemptResult> {
  const verdict = await resolveWebhookUrl(urlText, options.allowPrivate);
  if (!verdict.ok) return { ok: false, status: null, error: verdict.error.message };
  const { url, addresses } = verdict.target;
  const chosen = addresses[0]!;
  const lookup: LookupFunction = (_host, opts, callback) => {
    if ((opts as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [chosen]);
    else callback(null, chosen.address, chosen.family);
  };
  const client = url.protocol === "https:" ? https : http;
  return new Promise<AttemptResult>((done) => {
    let settled = false;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done(result);
    };
    const request = client.request(
      url,
      {
        method: "POST",
        lookup,
        agent: false,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body).toString(), "user-agent": "Simgate-Webhooks/1", ...headers },
      },
      (response) => {
        let seen = 0;
        response.on("data", (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > MAX_ANSWER_BYTES) response.destroy();
        });
        const status = response.statusCode ?? 0;
        const result: AttemptResult =
          status >= 200 && status < 300
            ? { ok: true, status, error: null }
            : { ok: false, status, error: status >= 300 && status < 400 ? `Redirect (${status}) not followed.` : `HTTP ${status}` };
        response.on("end", () => finish(result));
        response.on("close", () => finish(result));
        response.on("error", () => finish(result));
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, status: null, error: `No answer within ${options.timeoutMs} ms.` });
      request.destroy();
    }, options.timeoutMs);
    request.on("error", (err) => finish({ ok: false, status: null, error: `${(err as NodeJS.ErrnoException).code ?? "ERROR"}: ${err.message}`.slice(0, 300) }));
    request.end(body);
  });
}
