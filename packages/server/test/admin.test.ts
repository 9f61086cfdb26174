// O5: the administrator is whoever sends the configured secret; nothing else is admin.
import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts.ts";
import { ADMIN_SECRET, startHarness } from "./support/harness.ts";

const h = await startHarness();
const noAdmin = await startHarness({ env: { SIMGATE_ADMIN_SECRET: "" } });

const OUTBOX = `{ adminOutbox(first: 5) { kind to } }`;

describe("O5 administrator", () => {
  it("O5: the configured secret reads the outbox, newest first", async () => {
    const op = await signUp(h);
    const data = await h.ok(OUTBOX, {}, ADMIN_SECRET);
    expect(data.adminOutbox[0]).toEqual({ kind: "EMAIL_VERIFICATION", to: [op.email] });
  });

  it("O5: an operator's token or a wrong secret is FORBIDDEN; no token at all too", async () => {
    const op = await signUp(h);
    for (const auth of [op.token, `${ADMIN_SECRET}x`, null]) {
      const r = await h.gql(OUTBOX, {}, auth);
      expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect(r.data).toBeNull();
    }
  });

  it("O5: without SIMGATE_ADMIN_SECRET the admin fields are disabled for everyone", async () => {
    for (const auth of [ADMIN_SECRET, "", null]) {
      const r = await noAdmin.gql(OUTBOX, {}, auth);
      expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
  });

  it("O5: the admin secret is not an operator: operator fields stay UNAUTHENTICATED", async () => {
    const r = await h.gql(`mutation { createAuthKey { authKeyId } }`, {}, ADMIN_SECRET);
    expect(r.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect((await h.ok(`{ viewer { id } }`, {}, ADMIN_SECRET)).viewer).toBeNull();
  });

  it("adminOutbox filters by address (To or CC) and kind, and bounds first", async () => {
    const op = await signUp(h);
    const data = await h.ok(`query($to: String) { adminOutbox(to: $to) { to } }`, { to: op.email.toUpperCase() }, ADMIN_SECRET);
    expect(data.adminOutbox).toEqual([{ to: [op.email] }]);
    const none = await h.ok(`{ adminOutbox(kind: INVOICE) { id } }`, {}, ADMIN_SECRET);
    expect(none.adminOutbox).toEqual([]);
    const bad = await h.gql(`{ adminOutbox(first: 0) { id } }`, {}, ADMIN_SECRET);
    expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});
