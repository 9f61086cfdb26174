// P4 on the server: a retried mutation with the same Idempotency-Key never runs twice.
import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts.ts";
import { startHarness } from "./support/harness.ts";
import { ownSims } from "./support/sims.ts";

const h = await startHarness();
const op = await signUp(h);

const TERMINATE = `mutation($ids: [ID!]!) { terminateSims(input: { simIds: $ids }) { results { userErrors { code } } } }`;

function post(body: unknown, key: string | null, token = op.token) {
  return h.raw({ body, headers: { authorization: `Bearer ${token}`, ...(key ? { "idempotency-key": key } : {}) } });
}

async function auditCount(action: string) {
  const log = await h.ok(`query($a: String) { viewer { auditLog(first: 100, filter: { action: $a }) { totalCount } } }`, { a: action }, op.token);
  return log.viewer.auditLog.totalCount as number;
}

describe("P4 idempotency keys", () => {
  it("P4: a repeat with the same key gets the first response back, and the mutation ran once", async () => {
    const before = await auditCount("createAuthKey");
    const body = { query: `mutation { createAuthKey { authKeyId userErrors { code } } }` };
    const first = await post(body, "key-create-1");
    const firstBody = await first.json();
    const again = await post(body, "key-create-1");
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(firstBody);
    expect(await auditCount("createAuthKey")).toBe(before + 1);
    // Without the key, or with another one, it runs again.
    await post(body, "key-create-2");
    await post(body, null);
    expect(await auditCount("createAuthKey")).toBe(before + 3);
  });

  it("P4: a replayed terminateSims does not terminate twice or report differently", async () => {
    const sims = await ownSims(h, op, 3);
    await h.app.db.sim.updateMany({ data: { terminationProtected: false } });
    const body = { query: TERMINATE, variables: { ids: sims.map((s) => s.id) } };
    const first = await (await post(body, "terminate-batch-1")).json();
    const replay = await (await post(body, "terminate-batch-1")).json();
    expect(replay).toEqual(first);
    expect(first.data.terminateSims.results.every((r: { userErrors: unknown[] }) => r.userErrors.length === 0)).toBe(true);
    expect(await auditCount("terminateSims")).toBe(1);
  });

  it("P4: the same key with a different request is refused with 422", async () => {
    await post({ query: `mutation { createAuthKey { authKeyId } }` }, "key-reused");
    const other = await post({ query: `mutation { logout { userErrors { code } } }` }, "key-reused");
    expect(other.status).toBe(422);
    expect((await other.json()).errors[0].extensions.code).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("P4: keys are per caller: another operator's identical request with the same key runs", async () => {
    const other = await signUp(h);
    const body = { query: `mutation { createAuthKey { authKeyId } }` };
    const mine = await (await post(body, "shared-key")).json();
    const theirs = await post(body, "shared-key", other.token);
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
    expect((await theirs.json()).data.createAuthKey.authKeyId).not.toBe(mine.data.createAuthKey.authKeyId);
  });

  it("P4: concurrent duplicates run once; the others wait (409) or get the replay", async () => {
    const before = await auditCount("createAuthKey");
    const body = { query: `mutation { createAuthKey { authKeyId } }` };
    const responses = await Promise.all(Array.from({ length: 5 }, () => post(body, "key-concurrent")));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    for (const r of responses.filter((x) => x.status === 409)) expect(r.headers.get("retry-after")).toBe("1");
    expect(await auditCount("createAuthKey")).toBe(before + 1);
  });

  it("malformed keys are a 400", async () => {
    const res = await post({ query: `{ viewer { id } }` }, "x".repeat(201));
    expect(res.status).toBe(400);
  });
});
