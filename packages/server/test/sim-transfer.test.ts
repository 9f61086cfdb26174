// Section T through the endpoint.
import { describe, expect, it } from "vitest";
import { lastMail, signUp } from "./support/accounts.ts";
import { ADMIN_SECRET, startHarness } from "./support/harness.ts";
import { snapshot } from "./support/snapshot.ts";
import { history, ownSims, reportSession, setProtection, simAction } from "./support/sims.ts";
import { cancel, decide, issue, issued, payByCard } from "./support/transfers.ts";

const h = await startHarness();
const codes = (r: { userErrors: { code: string }[] }) => r.userErrors.map((e) => e.code);
const SIM_STATE = `query($id: ID!) { node(id: $id) { ... on Sim { status pendingTransfer { id status } name tags { name } terminationProtected expiry { action } ownedSince } } }`;

async function pair() {
  const source = await signUp(h);
  const dest = await signUp(h);
  await payByCard(h, dest);
  return { source, dest };
}

describe("T1/T2 issuing", () => {
  it("T1: only READY SIMs; each other one is SIM_NOT_READY with its input path, and nothing changes", async () => {
    const { source, dest } = await pair();
    const [ready, active, suspended] = await ownSims(h, source, 3);
    await simAction(h, source, "activateSim", active!.id);
    await simAction(h, source, "suspendSim", suspended!.id);
    const before = await snapshot(h.app.db);
    const r = await issue(h, source, dest, [ready!.id, active!.id, suspended!.id]);
    expect(r).toEqual({
      transfer: null,
      userErrors: [
        { code: "SIM_NOT_READY", field: ["input", "simIds", "1"] },
        { code: "SIM_NOT_READY", field: ["input", "simIds", "2"] },
      ],
    });
    expect(await snapshot(h.app.db)).toBe(before);
  });

  it("T2: a wrong address, an unknown or malformed operator ID all give TRANSFER_DESTINATION_INVALID alike", async () => {
    const { source, dest } = await pair();
    const [sim] = await ownSims(h, source, 1);
    const wrongEmail = await issue(h, source, dest, [sim!.id], "someone-else@example.com");
    const unknownId = await issue(h, source, { ...dest, operatorId: "OP0000000001" }, [sim!.id]);
    const malformed = await issue(h, source, { ...dest, operatorId: "OP12" }, [sim!.id]);
    for (const r of [wrongEmail, unknownId, malformed]) expect(r).toEqual({ transfer: null, userErrors: [{ code: "TRANSFER_DESTINATION_INVALID", field: ["input"] }] });
    const self = await issue(h, source, source, [sim!.id]);
    expect(codes(self)).toEqual(["TRANSFER_TO_SELF"]);
  });

  it("T2: the destination's address matches in any case; a non-primary address of theirs does not", async () => {
    const { source, dest } = await pair();
    const [a] = await ownSims(h, source, 1);
    expect(codes(await issue(h, source, dest, [a!.id], dest.email.toUpperCase()))).toEqual([]);
  });

  it("bulk: up to 1,000 SIMs; 1,001 is TOO_MANY_ITEMS; none is INVALID_INPUT; foreign SIMs are NOT_FOUND", async () => {
    const { source, dest } = await pair();
    const [mine] = await ownSims(h, source, 1);
    const [theirs] = await ownSims(h, dest, 1);
    expect(codes(await issue(h, source, dest, Array(1001).fill(mine!.id)))).toEqual(["TOO_MANY_ITEMS"]);
    expect(codes(await issue(h, source, dest, []))).toEqual(["INVALID_INPUT"]);
    expect((await issue(h, source, dest, [mine!.id, theirs!.id])).userErrors).toEqual([{ code: "NOT_FOUND", field: ["input", "simIds", "1"] }]);
  });
});

describe("T3 while pending", () => {
  it("T3: issuing sets every SIM TRANSFERRING and mails a one-time token to the destination's primary only", async () => {
    const { source, dest } = await pair();
    const sims = await ownSims(h, source, 2);
    const r = await issue(h, source, dest, sims.map((s) => s.id));
    expect(r.transfer).toMatchObject({ status: "PENDING", sourceOperatorId: source.operatorId, destinationOperatorId: dest.operatorId, imsis: sims.map((s) => s.imsi) });
    const expiresIn = Date.parse(r.transfer!.expiresAt) - Date.parse(r.transfer!.createdAt);
    expect(expiresIn).toBe(168 * 3_600_000);
    for (const s of sims) {
      const state = (await h.ok(SIM_STATE, { id: s.id }, source.token)).node;
      expect(state.status).toBe("TRANSFERRING");
      expect(state.pendingTransfer).toEqual({ id: r.transfer!.id, status: "PENDING" });
      expect((await history(h, source, s.id)).edges[0]!.node).toMatchObject({ from: "READY", to: "TRANSFERRING", cause: "TRANSFER" });
    }
    const mail = await lastMail(h, dest.email, "SIM_TRANSFER_TOKEN");
    expect(mail?.to).toEqual([dest.email]);
    expect(mail?.token).toMatch(/^sgx_/);
    expect(await lastMail(h, source.email, "SIM_TRANSFER_TOKEN")).toBeUndefined();
    // The source never sees the token (T3 decision): not in the payload, the transfer, or its log.
    const sourceView = await h.ok(`{ viewer { simTransfers(direction: OUTGOING, first: 5) { edges { node { id status } } } auditLog(first: 5) { edges { node { targetIds } } } } }`, {}, source.token);
    expect(JSON.stringify([r, sourceView])).not.toContain(mail!.token!);
  });

  it("T3: both sides list the transfer, by direction and status, with cursor pages", async () => {
    const { source, dest } = await pair();
    const sims = await ownSims(h, source, 3);
    const ids = [];
    for (const s of sims) ids.push((await issued(h, source, dest, [s.id])).id);
    await cancel(h, source, ids[0]!);
    const list = async (who: typeof source, direction: string, status?: string, after?: string) =>
      (await h.ok(`query($d: SimTransferDirection!, $s: SimTransferStatus, $a: String) { viewer { simTransfers(direction: $d, status: $s, first: 2, after: $a) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id status } } } } }`, { d: direction, s: status, a: after }, who.token)).viewer.simTransfers;
    const out1 = await list(source, "OUTGOING");
    expect(out1.totalCount).toBe(3);
    expect(out1.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([ids[2], ids[1]]);
    const out2 = await list(source, "OUTGOING", undefined, out1.pageInfo.endCursor);
    expect(out2.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([ids[0]]);
    expect((await list(dest, "INCOMING", "PENDING")).totalCount).toBe(2);
    expect((await list(dest, "OUTGOING")).totalCount).toBe(0);
    expect((await list(source, "INCOMING")).totalCount).toBe(0);
  });

  it("T4: while TRANSFERRING every status mutation is SIM_TRANSFERRING", async () => {
    const { source, dest } = await pair();
    const [sim] = await ownSims(h, source, 1);
    await setProtection(h, source, sim!.id, false);
    await issued(h, source, dest, [sim!.id]);
    for (const m of ["activateSim", "deactivateSim", "setSimToStandby", "suspendSim", "terminateSim"]) {
      expect(codes(await simAction(h, source, m, sim!.id))).toEqual(["SIM_TRANSFERRING"]);
    }
  });

  it("T4: a network session on a TRANSFERRING SIM makes acceptance fail; the source cancels", async () => {
    const { source, dest } = await pair();
    const [a, b] = await ownSims(h, source, 2);
    const t = await issued(h, source, dest, [a!.id, b!.id]);
    expect((await reportSession(h, a!.imsi, true)).sim?.status).toBe("ACTIVE");
    const before = await snapshot(h.app.db);
    expect(codes(await decide(h, dest, "acceptSimTransfer", { token: t.token }))).toEqual(["TRANSFER_SIM_STATUS_CHANGED"]);
    expect(await snapshot(h.app.db)).toBe(before);
    expect((await cancel(h, source, t.id)).transfer?.status).toBe("CANCELED");
    expect((await h.ok(SIM_STATE, { id: a!.id }, source.token)).node).toMatchObject({ status: "ACTIVE", pendingTransfer: null });
    expect((await h.ok(SIM_STATE, { id: b!.id }, source.token)).node).toMatchObject({ status: "READY", pendingTransfer: null });
  });

  it("T4: an expiry that fires during a pending transfer moves the SIM, so acceptance fails with TRANSFER_SIM_STATUS_CHANGED and nothing moves", async () => {
    const { source, dest } = await pair();
    const [a, b] = await ownSims(h, source, 2);
    const expiresAt = new Date(h.clock.now().getTime() + 60_000).toISOString();
    const set = await h.ok(`mutation($i: SetSimExpiryInput!) { setSimExpiry(input: $i) { userErrors { code } } }`, { i: { simId: a!.id, expiresAt, action: "SUSPEND" } }, source.token);
    expect(set.setSimExpiry.userErrors).toEqual([]);
    const t = await issued(h, source, dest, [a!.id, b!.id]);
    expect((await h.ok(SIM_STATE, { id: a!.id }, source.token)).node).toMatchObject({ status: "TRANSFERRING", pendingTransfer: { id: t.id, status: "PENDING" } });
    h.clock.advance(61_000);
    try {
      expect((await h.ok(`mutation { adminRunDueJobs { expiriesApplied } }`, {}, ADMIN_SECRET)).adminRunDueJobs.expiriesApplied).toBeGreaterThanOrEqual(1);
      expect((await h.ok(SIM_STATE, { id: a!.id }, source.token)).node).toMatchObject({ status: "SUSPENDED" });
      const before = await snapshot(h.app.db);
      expect(await decide(h, dest, "acceptSimTransfer", { token: t.token })).toEqual({ transfer: null, userErrors: [{ code: "TRANSFER_SIM_STATUS_CHANGED", field: expect.any(Array) }] });
      expect(await snapshot(h.app.db)).toBe(before);
      expect((await h.ok(SIM_STATE, { id: b!.id }, source.token)).node).toMatchObject({ status: "TRANSFERRING", pendingTransfer: { id: t.id, status: "PENDING" } });
      expect((await h.ok(SIM_STATE, { id: a!.id }, dest.token)).node).toBeNull();
      // The source must cancel: the expired SIM keeps its new status, the other returns to READY.
      expect((await cancel(h, source, t.id)).transfer?.status).toBe("CANCELED");
      expect((await h.ok(SIM_STATE, { id: a!.id }, source.token)).node).toMatchObject({ status: "SUSPENDED", pendingTransfer: null });
      expect((await h.ok(SIM_STATE, { id: b!.id }, source.token)).node).toMatchObject({ status: "READY", pendingTransfer: null });
    } finally {
      h.clock.reset();
    }
  });
});

describe("T5/T10 ending without acceptance", () => {
  it("T5: cancel ends the whole batch and returns every SIM to READY", async () => {
    const { source, dest } = await pair();
    const sims = await ownSims(h, source, 3);
    const t = await issued(h, source, dest, sims.map((s) => s.id));
    const r = await cancel(h, source, t.id);
    expect(r.transfer?.status).toBe("CANCELED");
    for (const s of sims) {
      expect((await h.ok(SIM_STATE, { id: s.id }, source.token)).node.status).toBe("READY");
      expect((await history(h, source, s.id)).edges[0]!.node).toMatchObject({ from: "TRANSFERRING", to: "READY", cause: "TRANSFER" });
    }
    expect(codes(await cancel(h, source, t.id))).toEqual(["TRANSFER_NOT_PENDING"]);
    expect(codes(await decide(h, dest, "acceptSimTransfer", { token: t.token }))).toEqual(["TRANSFER_TOKEN_INVALID"]);
  });

  it("T5: only the source cancels; to the destination it is NOT_FOUND", async () => {
    const { source, dest } = await pair();
    const [sim] = await ownSims(h, source, 1);
    const t = await issued(h, source, dest, [sim!.id]);
    expect(codes(await cancel(h, dest, t.id))).toEqual(["NOT_FOUND"]);
  });

  it("T10: the destination can reject, with the same effect as cancel", async () => {
    const { source, dest } = await pair();
    const [sim] = await ownSims(h, source, 1);
    const t = await issued(h, source, dest, [sim!.id]);
    expect((await decide(h, dest, "rejectSimTransfer", { transferId: t.id })).transfer?.status).toBe("REJECTED");
    expect((await h.ok(SIM_STATE, { id: sim!.id }, source.token)).node.status).toBe("READY");
  });

  it("T10: a pending transfer expires after 7 days (scheduler / adminRunDueJobs); its SIMs return to READY", async () => {
    const { source, dest } = await pair();
    const [sim] = await ownSims(h, source, 1);
    const t = await issued(h, source, dest, [sim!.id]);
    h.clock.advance(168 * 3_600_000 + 1000);
    try {
      const run = await h.ok(`mutation { adminRunDueJobs { transfersExpired } }`, {}, ADMIN_SECRET);
      expect(run.adminRunDueJobs.transfersExpired).toBeGreaterThanOrEqual(1); // other tests' pending transfers expire too
      const auth = await h.ok(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { token } }`, { i: { email: source.email, password: source.password } });
      const state = await h.ok(`query($id: ID!, $t: ID!) { node(id: $id) { ... on Sim { status } } t: node(id: $t) { ... on SimTransfer { status canceledAt } } }`, { id: sim!.id, t: t.id }, auth.authenticate.token);
      expect(state).toEqual({ node: { status: "READY" }, t: { status: "EXPIRED", canceledAt: expect.any(String) } });
    } finally {
      h.clock.reset();
    }
  });
});

describe("T6/T7 acceptance", () => {
  it("T6: the destination needs a payment method", async () => {
    const source = await signUp(h);
    const dest = await signUp(h);
    const [sim] = await ownSims(h, source, 1);
    const t = await issued(h, source, dest, [sim!.id]);
    expect(codes(await decide(h, dest, "acceptSimTransfer", { token: t.token }))).toEqual(["PAYMENT_METHOD_REQUIRED"]);
    await payByCard(h, dest);
    expect(codes(await decide(h, dest, "acceptSimTransfer", { token: t.token }))).toEqual([]);
  });

  it("T7/T8: acceptance moves every SIM, READY, settings reset, owned from the Asia/Tokyo transfer date; histories stay apart", async () => {
    // Noon in Tokyo, far from the date boundary (the boundary itself is the next test's).
    h.clock.set("2027-05-10T03:00:00Z");
    const today = "2027-05-10";
    try {
      const { source, dest } = await pair();
      const sims = await ownSims(h, source, 2);
      for (const s of sims) {
        await h.ok(`mutation($i: UpdateSimInput!) { updateSim(input: $i) { userErrors { code } } }`, { i: { simId: s.id, name: "old name", tags: [{ name: "site", value: "x" }] } }, source.token);
        await setProtection(h, source, s.id, false);
        await h.ok(`mutation($i: SetSimExpiryInput!) { setSimExpiry(input: $i) { userErrors { code } } }`, { i: { simId: s.id, expiresAt: new Date(h.clock.now().getTime() + 86_400_000).toISOString(), action: "TERMINATE" } }, source.token);
      }
      const t = await issued(h, source, dest, sims.map((s) => s.id));
      const accepted = await decide(h, dest, "acceptSimTransfer", { token: t.token });
      expect(accepted).toEqual({ transfer: { id: t.id, status: "ACCEPTED", acceptedAt: expect.any(String), transferDate: today }, userErrors: [] });
      for (const s of sims) {
        expect((await h.ok(SIM_STATE, { id: s.id }, dest.token)).node).toEqual({
          status: "READY",
          pendingTransfer: null,
          name: null,
          tags: [],
          terminationProtected: true,
          expiry: null,
          ownedSince: today,
        });
        // T7: the source's history of the SIM is not the destination's.
        expect((await history(h, dest, s.id)).edges.map((e) => e.node)).toEqual([{ from: "TRANSFERRING", to: "READY", cause: "TRANSFER", reactivation: false }]);
        expect((await h.ok(SIM_STATE, { id: s.id }, source.token)).node).toBeNull();
      }
      expect((await h.ok(`{ viewer { sims(first: 10) { totalCount } } }`, {}, source.token)).viewer.sims.totalCount).toBe(0);
      expect((await h.ok(`{ viewer { sims(first: 10) { totalCount } } }`, {}, dest.token)).viewer.sims.totalCount).toBe(2);
      // Both ends still see the transfer itself.
      for (const who of [source, dest]) expect((await h.ok(`query($id: ID!) { node(id: $id) { id } }`, { id: t.id }, who.token)).node).toEqual({ id: t.id });
    } finally {
      h.clock.reset();
    }
  });

  it("T8: acceptance a millisecond before 15:00 UTC (00:00 Asia/Tokyo) dates the transfer that Tokyo day; at 15:00 UTC, the next day", async () => {
    // A month's last day, so the day after is in the next month too.
    h.clock.set("2027-03-31T14:00:00Z");
    try {
      const { source, dest } = await pair();
      const [early, late] = await ownSims(h, source, 2);
      const before = await issued(h, source, dest, [early!.id]);
      const after = await issued(h, source, dest, [late!.id]);

      h.clock.freeze("2027-03-31T14:59:59.999Z"); // 23:59:59.999 on 31 March in Tokyo
      const a = await decide(h, dest, "acceptSimTransfer", { token: before.token });
      h.clock.freeze("2027-03-31T15:00:00.000Z"); // 00:00:00.000 on 1 April in Tokyo
      const b = await decide(h, dest, "acceptSimTransfer", { token: after.token });
      h.clock.set("2027-03-31T15:00:01Z");

      expect(a).toEqual({ transfer: { id: before.id, status: "ACCEPTED", acceptedAt: "2027-03-31T14:59:59.999Z", transferDate: "2027-03-31" }, userErrors: [] });
      expect(b).toEqual({ transfer: { id: after.id, status: "ACCEPTED", acceptedAt: "2027-03-31T15:00:00.000Z", transferDate: "2027-04-01" }, userErrors: [] });
      // The destination pays from the transfer date; the source up to the day before it
      // (30 March for the first, 31 March for the second).
      expect((await h.ok(SIM_STATE, { id: early!.id }, dest.token)).node.ownedSince).toBe("2027-03-31");
      expect((await h.ok(SIM_STATE, { id: late!.id }, dest.token)).node.ownedSince).toBe("2027-04-01");
    } finally {
      h.clock.reset();
    }
  });

  it("T3: the destination accepts by transfer ID when signed in; the source never can", async () => {
    const { source, dest } = await pair();
    const [sim] = await ownSims(h, source, 1);
    const t = await issued(h, source, dest, [sim!.id]);
    expect(codes(await decide(h, source, "acceptSimTransfer", { transferId: t.id }))).toEqual(["NOT_FOUND"]);
    expect(codes(await decide(h, source, "acceptSimTransfer", { token: t.token }))).toEqual(["TRANSFER_TOKEN_INVALID"]);
    expect(codes(await decide(h, dest, "acceptSimTransfer", { transferId: t.id }))).toEqual([]);
    expect(codes(await decide(h, dest, "acceptSimTransfer", { transferId: t.id }))).toEqual(["TRANSFER_NOT_PENDING"]);
  });

  it("tokens that are malformed, unknown, used, expired or meant for another operator are all TRANSFER_TOKEN_INVALID", async () => {
    const { source, dest } = await pair();
    const stranger = await signUp(h);
    await payByCard(h, stranger);
    const [a, b] = await ownSims(h, source, 2);
    const used = await issued(h, source, dest, [a!.id]);
    await decide(h, dest, "acceptSimTransfer", { token: used.token });
    const fresh = await issued(h, source, dest, [b!.id]);
    const answers = [
      await decide(h, dest, "acceptSimTransfer", { token: "garbage" }),
      await decide(h, dest, "acceptSimTransfer", { token: `sgx_${"A".repeat(43)}` }),
      await decide(h, dest, "acceptSimTransfer", { token: used.token }),
      await decide(h, stranger, "acceptSimTransfer", { token: fresh.token }),
      await decide(h, dest, "rejectSimTransfer", { token: "x".repeat(1000) }),
    ];
    for (const r of answers) expect(r).toEqual({ transfer: null, userErrors: [{ code: "TRANSFER_TOKEN_INVALID", field: ["input", "token"] }] });
    h.clock.advance(169 * 3_600_000);
    try {
      const auth = await h.ok(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { token } }`, { i: { email: dest.email, password: dest.password } });
      const late = await decide(h, { ...dest, token: auth.authenticate.token }, "acceptSimTransfer", { token: fresh.token });
      expect(codes(late)).toEqual(["TRANSFER_TOKEN_INVALID"]);
    } finally {
      h.clock.reset();
    }
    expect(codes(await decide(h, dest, "acceptSimTransfer", {}))).toEqual(["INVALID_INPUT"]);
    expect(codes(await decide(h, dest, "acceptSimTransfer", { token: fresh.token, transferId: fresh.id }))).toEqual(["INVALID_INPUT"]);
  });

  it("acceptance needs a signed-in operator", async () => {
    const r = await h.gql(`mutation { acceptSimTransfer(input: { token: "sgx_x" }) { userErrors { code } } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("T9 application", () => {
  it("T9: non-READY SIMs open a SIM_TRANSFER_APPLICATION ticket listing them and the destination, saying the fee applies", async () => {
    const { source, dest } = await pair();
    const [active, suspended, ready, terminated] = await ownSims(h, source, 4);
    await simAction(h, source, "activateSim", active!.id);
    await simAction(h, source, "suspendSim", suspended!.id);
    await setProtection(h, source, terminated!.id, false);
    await simAction(h, source, "terminateSim", terminated!.id);
    const APPLY = `mutation($i: ApplyForSimTransferInput!) { applyForSimTransfer(input: $i) { ticket { category scope status subject messages { body } } userErrors { code field } } }`;
    const refused = (await h.ok(APPLY, { i: { simIds: [active!.id, ready!.id, terminated!.id], destinationOperatorId: dest.operatorId, destinationEmail: dest.email } }, source.token)).applyForSimTransfer;
    expect(refused.userErrors).toEqual([
      { code: "INVALID_INPUT", field: ["input", "simIds", "1"] },
      { code: "SIM_TERMINATED", field: ["input", "simIds", "2"] },
    ]);
    const ok = (await h.ok(APPLY, { i: { simIds: [active!.id, suspended!.id], destinationOperatorId: dest.operatorId, destinationEmail: dest.email, note: "by Friday" } }, source.token)).applyForSimTransfer;
    expect(ok.userErrors).toEqual([]);
    expect(ok.ticket).toMatchObject({ category: "SIM_TRANSFER_APPLICATION", status: "OPEN" });
    const body = ok.ticket.messages[0].body as string;
    for (const text of [active!.imsi, suspended!.imsi, dest.operatorId, "fee", "by Friday"]) expect(body).toContain(text);
    expect((await lastMail(h, source.email, "SUPPORT_AUTO_REPLY"))?.to).toEqual([source.email]);
    const bad = (await h.ok(APPLY, { i: { simIds: [active!.id], destinationOperatorId: dest.operatorId, destinationEmail: "nope@example.com" } }, source.token)).applyForSimTransfer;
    expect(codes(bad)).toEqual(["TRANSFER_DESTINATION_INVALID"]);
  });
});

describe("O4 and O6 for transfers", () => {
  it("O4: a third operator sees nothing of a transfer between two others", async () => {
    const { source, dest } = await pair();
    const third = await signUp(h);
    await payByCard(h, third);
    const [sim] = await ownSims(h, source, 1);
    const t = await issued(h, source, dest, [sim!.id]);
    expect((await h.ok(`query($id: ID!) { node(id: $id) { id } }`, { id: t.id }, third.token)).node).toBeNull();
    expect(codes(await decide(h, third, "acceptSimTransfer", { transferId: t.id }))).toEqual(["NOT_FOUND"]);
    expect(codes(await cancel(h, third, t.id))).toEqual(["NOT_FOUND"]);
  });

  it("O6: transfer mutations are audited on the caller's side, refusals included with their codes", async () => {
    const { source, dest } = await pair();
    const [sim] = await ownSims(h, source, 1);
    const t = await issued(h, source, dest, [sim!.id]);
    expect(codes(await cancel(h, dest, t.id))).toEqual(["NOT_FOUND"]);
    expect(codes(await decide(h, dest, "acceptSimTransfer", { token: "garbage" }))).toEqual(["TRANSFER_TOKEN_INVALID"]);
    await decide(h, dest, "acceptSimTransfer", { token: t.token });
    const LOG = `{ viewer { auditLog(first: 3) { edges { node { action targetIds result errorCodes } } } } }`;
    const sourceLog = (await h.ok(LOG, {}, source.token)).viewer.auditLog.edges.map((e: { node: unknown }) => e.node);
    const destLog = (await h.ok(LOG, {}, dest.token)).viewer.auditLog.edges.map((e: { node: unknown }) => e.node);
    expect(sourceLog[0]).toEqual({ action: "issueSimTransfer", targetIds: [t.id, sim!.id], result: "SUCCEEDED", errorCodes: [] });
    expect(destLog).toEqual([
      { action: "acceptSimTransfer", targetIds: [t.id], result: "SUCCEEDED", errorCodes: [] },
      { action: "acceptSimTransfer", targetIds: expect.any(Array), result: "REFUSED", errorCodes: ["TRANSFER_TOKEN_INVALID"] },
      { action: "cancelSimTransfer", targetIds: expect.any(Array), result: "REFUSED", errorCodes: ["NOT_FOUND"] },
    ]);
  });
});
