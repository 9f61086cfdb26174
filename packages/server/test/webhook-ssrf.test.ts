// V7: webhook URLs with SIMGATE_WEBHOOK_ALLOW_PRIVATE off (the default): https only, and no
// loopback, private, link-local, unique-local, metadata or unspecified target by address or name.
import { describe, expect, it } from "vitest";
import { isPublicAddress } from "@simgate/schema/webhooks/url-policy";
import { signUp } from "./support/accounts.ts";
import { startHarness } from "./support/harness.ts";

const h = await startHarness();
const CREATE = `mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } signingSecret userErrors { code field } } }`;

describe("V7: forbidden webhook targets", () => {
  it("V7: http is refused (WEBHOOK_URL_INVALID), and 127.0.0.1, ::1, 10.0.0.1, 169.254.169.254, fd00::1, fd00:ec2::254, 100.64.0.1, 0.0.0.0, 224.0.0.1 and a name resolving to loopback (localhost) are refused (WEBHOOK_URL_FORBIDDEN)", async () => {
    const op = await signUp(h);
    const plain = (await h.ok(CREATE, { i: { url: "http://example.com/hook" } }, op.token)).createWebhookEndpoint;
    expect(plain.userErrors).toEqual([{ code: "WEBHOOK_URL_INVALID", field: ["input", "url"] }]);
    for (const host of ["127.0.0.1", "[::1]", "10.0.0.1", "169.254.169.254", "[fd00::1]", "[fd00:ec2::254]", "100.64.0.1", "0.0.0.0", "224.0.0.1", "[::ffff:127.0.0.1]", "localhost"]) {
      const out = (await h.ok(CREATE, { i: { url: `https://${host}/hook` } }, op.token)).createWebhookEndpoint;
      expect(out.userErrors, host).toEqual([{ code: "WEBHOOK_URL_FORBIDDEN", field: ["input", "url"] }]);
      expect(out.signingSecret).toBeNull();
    }
    expect((await h.ok(`query { viewer { webhookEndpoints { id } } }`, {}, op.token)).viewer.webhookEndpoints).toEqual([]);
    const audit = await h.ok(`query { viewer { auditLog(first: 50) { edges { node { action result errorCodes } } } } }`, {}, op.token);
    expect(audit.viewer.auditLog.edges.filter((e: any) => e.node.action === "createWebhookEndpoint" && e.node.errorCodes.includes("WEBHOOK_URL_FORBIDDEN"))).toHaveLength(11);
  });

  it("V7: only ordinary public unicast addresses pass the check every attempt repeats (ipaddr.js ranges)", () => {
    for (const ok of ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"]) expect(isPublicAddress(ok), ok).toBe(true);
    for (const bad of ["127.0.0.1", "::1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "fd00::1", "fd00:ec2::254", "fe80::1", "100.64.0.1", "0.0.0.0", "::", "224.0.0.1", "ff02::1", "::ffff:10.0.0.1", "255.255.255.255"]) {
      expect(isPublicAddress(bad), bad).toBe(false);
    }
  });
});
