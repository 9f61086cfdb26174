// O4: another operator's IDs answer exactly like IDs that do not exist.
import { describe, expect, it } from "vitest";
import { addVerifiedEmail, signUp } from "./support/accounts.ts";
import { startHarness } from "./support/harness.ts";
import { snapshot } from "./support/snapshot.ts";

const h = await startHarness();
const owner = await signUp(h);
const other = await signUp(h);
const ownersAddress = await addVerifiedEmail(h, owner);
const ownersKey = (await h.ok(`mutation { createAuthKey { authKeyId } }`, {}, owner.token)).createAuthKey.authKeyId as string;
// Global IDs of the right type whose rows do not exist.
const missingAddress = Buffer.from("EmailAddress:0190f3c4-0000-7000-8000-000000000000").toString("base64");
const ownersAuditEntry = (await h.ok(`{ viewer { auditLog(first: 1) { edges { node { id } } } } }`, {}, owner.token)).viewer.auditLog.edges[0].node.id;

/** Runs `doc` as `other` with the owner's ID and with a missing ID; both answers must match. */
async function sameAsMissing(doc: string, vars: (id: string) => Record<string, unknown>, ownersId: string, missingId: string) {
  const before = await snapshot(h.app.db);
  const foreign = await h.gql(doc, vars(ownersId), other.token);
  const missing = await h.gql(doc, vars(missingId), other.token);
  expect(JSON.stringify(foreign).replaceAll(ownersId, "ID")).toBe(JSON.stringify(missing).replaceAll(missingId, "ID"));
  expect(await snapshot(h.app.db)).toBe(before);
  return foreign;
}

describe("O4 tenancy", () => {
  it("O4: node and nodes answer null for another operator's objects", async () => {
    for (const id of [owner.id, ownersAddress, owner.primaryEmailId, ownersAuditEntry]) {
      const r = await sameAsMissing(`query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }`, (x) => ({ id: x }), id, missingAddress);
      expect([r.data, r.errors]).toEqual([{ node: null, nodes: [null] }, undefined]);
    }
    // The owner does see them.
    const mine = await h.ok(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [owner.id, ownersAddress, ownersAuditEntry] }, owner.token);
    expect(mine.nodes.map((n: { id: string } | null) => n?.id)).toEqual([owner.id, ownersAddress, ownersAuditEntry]);
  });

  it("O4: node without authentication sees nothing", async () => {
    expect(await h.ok(`query($id: ID!) { node(id: $id) { id } }`, { id: owner.id })).toEqual({ node: null });
  });

  it("O4: removeEmailAddress with another operator's address is NOT_FOUND, and nothing changes", async () => {
    const r = await sameAsMissing(
      `mutation($id: ID!) { removeEmailAddress(input: { emailAddressId: $id }) { removedEmailAddressId userErrors { code field } } }`,
      (x) => ({ id: x }),
      ownersAddress,
      missingAddress,
    );
    expect(r.data?.removeEmailAddress.userErrors).toEqual([{ code: "NOT_FOUND", field: ["input", "emailAddressId"] }]);
  });

  it("O4: setEmailRole with another operator's address is NOT_FOUND for every role", async () => {
    for (const role of ["PRIMARY", "RECOVERY", "BILLING", "SUPPORT"]) {
      const r = await sameAsMissing(
        `mutation($id: ID!) { setEmailRole(input: { role: ${role}, emailAddressIds: [$id], password: "${other.password}" }) { operator { id } userErrors { code field } } }`,
        (x) => ({ id: x }),
        ownersAddress,
        missingAddress,
      );
      expect(r.data?.setEmailRole.userErrors).toEqual([{ code: "NOT_FOUND", field: ["input", "emailAddressIds", "0"] }]);
    }
  });

  it("O4: deleteAuthKey with another operator's key is NOT_FOUND and the key keeps working", async () => {
    const r = await sameAsMissing(
      `mutation($id: String!) { deleteAuthKey(input: { authKeyId: $id }) { userErrors { code } } }`,
      (x) => ({ id: x }),
      ownersKey,
      "keyId-000000000000000000000000",
    );
    expect(r.data?.deleteAuthKey.userErrors).toEqual([{ code: "NOT_FOUND" }]);
    expect((await h.ok(`{ viewer { authKeys { authKeyId } } }`, {}, owner.token)).viewer.authKeys).toEqual([{ authKeyId: ownersKey }]);
  });

  it("O4: auditLog filtered by another operator's target shows nothing of theirs", async () => {
    // A fresh operator: `other` has audit entries of its own naming the owner's IDs it tried.
    const third = await signUp(h);
    const before = await snapshot(h.app.db);
    const doc = `query($id: ID!) { viewer { auditLog(first: 10, filter: { targetId: $id }) { totalCount edges { node { id } } } } }`;
    expect(await h.ok(doc, { id: ownersAddress }, third.token)).toEqual({ viewer: { auditLog: { totalCount: 0, edges: [] } } });
    expect(await snapshot(h.app.db)).toBe(before);
  });

  it("O4: an operator's own refused attempts on foreign IDs stay in its own log only", async () => {
    const r = await h.gql(`query($id: ID!) { viewer { auditLog(first: 10, filter: { targetId: $id }) { totalCount } } }`, { id: ownersAddress }, other.token);
    expect(r.data?.viewer.auditLog.totalCount).toBeGreaterThan(0);
    const ownersView = await h.ok(`query($id: ID!) { viewer { auditLog(first: 100, filter: { targetId: $id }) { edges { node { actor } } } } }`, { id: ownersAddress }, owner.token);
    expect(JSON.stringify(ownersView)).not.toContain(other.email);
  });

  it("O4: each operator lists only its own addresses, keys, tickets and audit entries", async () => {
    const view = await h.ok(
      `{ viewer { emailAddresses { id } authKeys { authKeyId } supportTickets(first: 10) { totalCount } auditLog(first: 100) { edges { node { id } } } } }`,
      {},
      other.token,
    );
    const json = JSON.stringify(view);
    for (const id of [ownersAddress, owner.primaryEmailId, ownersKey, ownersAuditEntry]) expect(json).not.toContain(id);
  });
});

describe("malformed global IDs", () => {
  it.each([
    ["unknown type", Buffer.from("Spaceship:1").toString("base64")],
    ["NUL byte", Buffer.from("Operator:\u0000").toString("base64")],
    ["not base64", "%%%"],
    ["no colon", Buffer.from("Operator").toString("base64")],
    ["over-long (the 1,000-character input bound)", "A".repeat(1000)],
  ])("node(id:) with %s answers null, never an error", async (_name, id) => {
    const r = await h.gql(`query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }`, { id }, owner.token);
    expect([r.data, r.errors]).toEqual([{ node: null, nodes: [null] }, undefined]);
  });
});
