// P3 through the endpoint, with the clock pinned: requested Wednesday 2026-11-25, 10:00 Asia/Tokyo.
import { describe, expect, it } from "vitest";
import { lastMail, signUp, type TestOperator } from "./support/accounts.ts";
import { startHarness } from "./support/harness.ts";
import { snapshot } from "./support/snapshot.ts";

const h = await startHarness();
h.clock.set("2026-11-25T01:00:00Z");
const codes = (r: { userErrors: { code: string }[] }) => r.userErrors.map((e) => e.code);

const REQUEST = `mutation($i: RequestOfficeHoursInput!) { requestOfficeHours(input: $i) {
  request { id status month topic meetingTool meetingUrl candidateSlots { startsAt durationMinutes } supportTicket { id category status } }
  userErrors { code field } } }`;
const CANCEL = `mutation($id: ID!) { cancelOfficeHoursRequest(input: { requestId: $id }) { request { status } userErrors { code } } }`;
const slot = (tokyo: string, durationMinutes = 30) => ({ startsAt: new Date(`${tokyo}+09:00`).toISOString(), durationMinutes });
const good = [slot("2026-12-02T10:00:00"), slot("2026-12-03T17:15:00", 45)];

async function priority(): Promise<TestOperator> {
  const op = await signUp(h);
  await h.ok(`mutation { changeSupportPlan(input: { plan: PRIORITY }) { userErrors { code } } }`, {}, op.token);
  return op;
}

async function request(op: TestOperator, input: Record<string, unknown> = {}) {
  return (await h.ok(REQUEST, { i: { topic: "Fleet rollout", candidateSlots: good, ...input } }, op.token)).requestOfficeHours;
}

describe("P3 office hours", () => {
  it("P3: a request opens an OFFICE_HOURS ticket, counts against the Tokyo month, Google Meet by default", async () => {
    const op = await priority();
    const r = await request(op);
    expect(r.userErrors).toEqual([]);
    expect(r.request).toMatchObject({
      status: "REQUESTED",
      month: "2026-11",
      topic: "Fleet rollout",
      meetingTool: "GOOGLE_MEET",
      meetingUrl: null,
      candidateSlots: good,
      supportTicket: { category: "OFFICE_HOURS", status: "OPEN" },
    });
    expect((await lastMail(h, op.email, "SUPPORT_AUTO_REPLY"))?.to).toEqual([op.email]);
    const list = await h.ok(`{ viewer { officeHoursRequests(first: 5) { totalCount edges { node { id } } } } }`, {}, op.token);
    expect(list.viewer.officeHoursRequests).toEqual({ totalCount: 1, edges: [{ node: { id: r.request.id } }] });
  });

  it("P3: BASIC is SUPPORT_PLAN_INSUFFICIENT", async () => {
    const op = await signUp(h);
    expect(codes(await request(op))).toEqual(["SUPPORT_PLAN_INSUFFICIENT"]);
  });

  it("P3: one per Asia/Tokyo month; canceling frees the month; the next month is separate", async () => {
    const op = await priority();
    const first = await request(op);
    expect(codes(await request(op))).toEqual(["OFFICE_HOURS_MONTHLY_LIMIT"]);
    expect((await h.ok(CANCEL, { id: first.request.id }, op.token)).cancelOfficeHoursRequest).toEqual({ request: { status: "CANCELED" }, userErrors: [] });
    expect(codes((await h.ok(CANCEL, { id: first.request.id }, op.token)).cancelOfficeHoursRequest)).toEqual(["INVALID_INPUT"]);
    expect(codes(await request(op))).toEqual([]);
    // 2026-11-30 15:00 UTC is already December 1st in Tokyo.
    h.clock.set("2026-11-30T15:00:00Z");
    try {
      // Tokens last at most 48 hours: sign in again at the new time.
      const auth = await h.ok(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { token } }`, { i: { email: op.email, password: op.password } });
      const december = await request({ ...op, token: auth.authenticate.token }, { candidateSlots: [slot("2026-12-08T11:00:00")] });
      expect(december.userErrors).toEqual([]);
      expect(december.request.month).toBe("2026-12");
    } finally {
      h.clock.set("2026-11-25T01:00:00Z");
    }
  });

  it("P3: concurrent requests in one month: exactly one wins", async () => {
    const op = await priority();
    const results = await Promise.all(Array.from({ length: 10 }, () => request(op)));
    expect(results.filter((r) => r.userErrors.length === 0)).toHaveLength(1);
    expect(results.filter((r) => codes(r)[0] === "OFFICE_HOURS_MONTHLY_LIMIT")).toHaveLength(9);
    const tickets = await h.ok(`{ viewer { supportTickets(first: 20) { totalCount } } }`, {}, op.token);
    expect(tickets.viewer.supportTickets.totalCount).toBe(1);
  });

  it.each([
    ["a slot in the past", [slot("2026-11-20T11:00:00")], "OFFICE_HOURS_SLOT_TOO_SOON"],
    ["a slot before the 5th business day", [slot("2026-12-01T11:00:00")], "OFFICE_HOURS_SLOT_TOO_SOON"],
    ["a Sunday", [slot("2026-12-06T11:00:00")], "OFFICE_HOURS_SLOT_OUTSIDE_HOURS"],
    ["09:30", [slot("2026-12-03T09:30:00")], "OFFICE_HOURS_SLOT_OUTSIDE_HOURS"],
    ["17:45 for 30 minutes", [slot("2026-12-03T17:45:00")], "OFFICE_HOURS_SLOT_OUTSIDE_HOURS"],
    ["20 minutes", [slot("2026-12-03T11:00:00", 20)], "OFFICE_HOURS_DURATION_INVALID"],
    ["60 minutes", [slot("2026-12-03T11:00:00", 60)], "OFFICE_HOURS_DURATION_INVALID"],
    ["no slot", [], "OFFICE_HOURS_SLOT_COUNT_INVALID"],
    ["4 slots", [good[0], good[1], slot("2026-12-04T10:00:00"), slot("2026-12-07T10:00:00")], "OFFICE_HOURS_SLOT_COUNT_INVALID"],
  ])("P3: %s is refused and nothing changes", async (_name, candidateSlots, code) => {
    const op = await priority();
    const before = await snapshot(h.app.db);
    expect(codes(await request(op, { candidateSlots }))).toEqual([code]);
    expect(await snapshot(h.app.db)).toBe(before);
  });

  it("P3: CUSTOMER_URL needs an https URL; tel: and http are refused", async () => {
    const op = await priority();
    expect(codes(await request(op, { meetingTool: "CUSTOMER_URL" }))).toEqual(["MEETING_URL_REQUIRED"]);
    expect(codes(await request(op, { meetingTool: "CUSTOMER_URL", meetingUrl: "tel:+81-3-1234-5678" }))).toEqual(["MEETING_URL_INVALID"]);
    expect(codes(await request(op, { meetingTool: "CUSTOMER_URL", meetingUrl: "http://meet.example.com/r" }))).toEqual(["MEETING_URL_INVALID"]);
    const ok = await request(op, { meetingTool: "CUSTOMER_URL", meetingUrl: "https://meet.example.com/r" });
    expect(ok.request).toMatchObject({ meetingTool: "CUSTOMER_URL", meetingUrl: "https://meet.example.com/r" });
  });

  it("non-ISO datetimes are GraphQL validation errors, not 500s", async () => {
    const op = await priority();
    const res = await h.raw({
      body: { query: REQUEST, variables: { i: { topic: "t", candidateSlots: [{ startsAt: "next Tuesday", durationMinutes: 30 }] } } },
      headers: { authorization: `Bearer ${op.token}` },
    });
    expect(res.status).toBeLessThan(500);
    expect(JSON.stringify(await res.json())).toMatch(/ISO 8601|DateTime/);
  });

  it("O4/O6: another operator's request is NOT_FOUND, audited as REFUSED in their log; requests are audited", async () => {
    const op = await priority();
    const other = await priority();
    const r = await request(op);
    expect(codes((await h.ok(CANCEL, { id: r.request.id }, other.token)).cancelOfficeHoursRequest)).toEqual(["NOT_FOUND"]);
    const log = await h.ok(`{ viewer { auditLog(first: 1) { edges { node { action targetIds result } } } } }`, {}, op.token);
    expect(log.viewer.auditLog.edges[0].node).toEqual({ action: "requestOfficeHours", targetIds: [r.request.id, r.request.supportTicket.id], result: "SUCCEEDED" });
    // The refused cancel is audited on the caller's side only, as refused, with its code.
    const theirs = await h.ok(`{ viewer { auditLog(first: 1) { edges { node { action result errorCodes } } } } }`, {}, other.token);
    expect(theirs.viewer.auditLog.edges[0].node).toEqual({ action: "cancelOfficeHoursRequest", result: "REFUSED", errorCodes: ["NOT_FOUND"] });
  });
});
