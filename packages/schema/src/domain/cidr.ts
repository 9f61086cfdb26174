// U9: the client addresses an auth key (and every token it gives) may be used from.
import ipaddr from "ipaddr.js";
import { userError, type UserError } from "./user-error.ts";

type Block = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Validates and normalizes CIDR blocks ("203.0.113.7/24" -> "203.0.113.0/24"). A bare address is
 * refused: a block always says its prefix length, so nobody allows a /32 by accident of omission.
 */
export function parseCidrs(blocks: readonly string[], field: (string | number)[]): { cidrs: string[] } | { error: UserError } {
  const cidrs: string[] = [];
  for (const [i, block] of blocks.entries()) {
    let parsed: Block;
    try {
      if (block.length > 60 || !block.includes("/")) throw new Error("not a block");
      parsed = ipaddr.parseCIDR(block.trim());
    } catch {
      return { error: userError("CIDR_INVALID", `${JSON.stringify(block.slice(0, 60))} is not an IPv4 or IPv6 CIDR block such as 203.0.113.0/24 or 2001:db8::/32.`, [...field, i]) };
    }
    const [address, bits] = parsed;
    const network = address.kind() === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(block.trim()) : ipaddr.IPv6.networkAddressFromCIDR(block.trim());
    cidrs.push(`${network.toString()}/${bits}`);
  }
  return { cidrs: [...new Set(cidrs)] };
}

/** Whether `ip` (as the server sees the client) lies in one of the blocks; an empty list allows any address. */
export function addressAllowed(cidrs: readonly string[], ip: string): boolean {
  if (cidrs.length === 0) return true;
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.process(ip); // IPv4-mapped IPv6 (::ffff:203.0.113.7) becomes IPv4
  } catch {
    return false;
  }
  return cidrs.some((cidr) => {
    try {
      const block = ipaddr.parseCIDR(cidr);
      return address.kind() === block[0].kind() && address.match(block);
    } catch {
      return false;
    }
  });
}
