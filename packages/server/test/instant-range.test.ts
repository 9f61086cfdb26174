// DateTime inputs are instants whose UTC year is 1970–9999; office-hours slots must fall inside the
// business calendar. Out-of-range instants are refused as bad input, never stored.
import { describe, expect, it } from "vitest";
import { signUp, type TestOperator } from "./support/accounts.ts";
import { startHarness } from "./support/harness.ts";

const h = await startHarness();
h.clock.set("2026-11-25T01:00:00Z");

const FIELDS = `request { id candidateSlots { startsAt } } userErrors { code message field }`;
const BY_VARIABLE = `mutation($i: RequestOfficeHoursInput!) { requestOfficeHours(input: $i) { ${FIELDS} } }`;
const byLiteral = (startsAt: string) =>
  `mutation { requestOfficeHours(input: { topic: "Range", candidateSlots: [{ startsAt: ${JSON.stringify(startsAt)}, durationMinutes: 30 }] }) { ${FIELDS} } }`;

async function priority(): Promise<TestOperator> {
  const op = await signUp(h);
  await h.ok(`mutation { changeSupportPlan(input: { plan: PRIORITY }) { userErrors { code } } }`, {}, op.token);
  return op;
}

async function post(op: TestOperator, query: string, variables?: Record<string, unknown>) {
  const response = await h.raw({ body: { query, variables }, headers: { authorization: `Bearer ${op.token}` } });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] } };
}

async function requestCount(op: TestOperator): Promise<number> {
  return (await h.ok(`{ viewer { officeHoursRequests(first: 5) { totalCount } } }`, {}, op.token)).viewer.officeHoursRequests.totalCount;
}

describe("DateTime accepts only UTC years 1970 to 9999", () => {
  const outside = [
    ["9999-12-31T23:59:59-14:00", 10000],
    ["1969-12-31T23:59:59Z", 1969],
    ["1970-01-01T08:59:59+09:00", 1969],
  ] as const;

  for (const [instant, year] of outside) {
    it(`${instant} (UTC year ${year}) is refused with 400 as a literal, before anything runs`, async () => {
      const op = await priority();
      const { status, body } = await post(op, byLiteral(instant));
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      expect(body.errors?.[0]?.message).toContain(`UTC year ${year}`);
      expect(body.errors?.[0]?.message).toContain("1970 to 9999");
      expect(await requestCount(op)).toBe(0);
    });

    it(`${instant} (UTC year ${year}) is refused with 400 as a variable, before anything runs`, async () => {
      const op = await priority();
      const { status, body } = await post(op, BY_VARIABLE, { i: { topic: "Range", candidateSlots: [{ startsAt: instant, durationMinutes: 30 }] } });
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      expect(body.errors?.[0]?.message).toContain(`UTC year ${year}`);
      expect(await requestCount(op)).toBe(0);
    });
  }

  it("the last instant of UTC year 9999 and the first of 1970 pass the scalar (then meet the rules of the field)", async () => {
    const op = await priority();
    for (const instant of ["9999-12-31T23:59:59Z", "9999-12-31T23:59:59+14:00", "1970-01-01T00:00:00Z", "1970-01-01T09:00:00+09:00"]) {
      const { status, body } = await post(op, byLiteral(instant));
      expect(status, instant).toBe(200);
      expect(body.errors, instant).toBeUndefined();
      expect(body.data.requestOfficeHours.userErrors.map((e: { code: string }) => e.code), instant).not.toEqual([]);
    }
  });
});

describe("P3: office-hours slots beyond the business calendar", () => {
  it("P3: a slot after the holiday calendar's last year is OFFICE_HOURS_SLOT_OUTSIDE_HOURS, not a server error", async () => {
    const op = await priority();
    for (const startsAt of ["2051-01-05T01:00:00Z", "9999-12-31T01:00:00Z"]) {
      const { status, body } = await post(op, BY_VARIABLE, { i: { topic: "Far", candidateSlots: [{ startsAt, durationMinutes: 30 }] } });
      expect(status, startsAt).toBe(200);
      expect(body.errors, startsAt).toBeUndefined();
      expect(body.data.requestOfficeHours.request).toBeNull();
      expect(body.data.requestOfficeHours.userErrors).toEqual([
        { code: "OFFICE_HOURS_SLOT_OUTSIDE_HOURS", message: expect.stringContaining("2050-12-31"), field: ["input", "candidateSlots", "0", "startsAt"] },
      ]);
    }
    expect(await requestCount(op)).toBe(0);
  });

  it("P3: a business day in the calendar's last year is still accepted", async () => {
    const op = await priority();
    // Tuesday 2050-12-06, 10:00 Asia/Tokyo.
    const { body } = await post(op, BY_VARIABLE, { i: { topic: "Late", candidateSlots: [{ startsAt: "2050-12-06T01:00:00Z", durationMinutes: 30 }] } });
    expect(body.data.requestOfficeHours.userErrors).toEqual([]);
  });
});
