// Fair use of the database under load, against a real server process with the default pool (10
// connections on PostgreSQL): one account fires 50 concurrent calls of every mutation that takes
// the operator's lock or a SIM or transfer lock, while another tenant keeps reading. The other
// tenant stays fast, and nothing answers 5xx: every call is a payload (userErrors for refusals) or
// the retryable OPERATOR_BUSY (HTTP 429 with Retry-After).
import { afterAll, describe, expect, it } from "vitest";
import { addVerifiedEmail, signUp, uniqueEmail } from "./support/accounts.ts";
import { killServersAfterAll, startServerProcess } from "./support/server-process.ts";
import { ownSims, setProtection, simAction } from "./support/sims.ts";
import { createTestDatabase } from "./support/test-database.ts";
import { issue } from "./support/transfers.ts";

const database = await createTestDatabase();
killServersAfterAll();
afterAll(() => database.drop());
// The default pool and write limits (serverEnv sets DATABASE_POOL_SIZE=10, the default).
const server = await startServerProcess(database.url);
const c = server.client;

const CALLS = 50;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function call(query: string, variables: Record<string, unknown>, token: string): Promise<Answer> {
  const response = await c.raw({ body: { query, variables }, headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as Answer["body"] };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe("fair use of the database under load", () => {
  it("50 concurrent calls of every locking mutation from one account: another tenant's reads keep p99 under 200 ms, nothing answers 5xx", { timeout: 120_000 }, async () => {
    const attacker = await signUp(c);
    const tenant = await signUp(c);
    const extra = await addVerifiedEmail(c, attacker);
    const [ready, active, protectedSim] = await ownSims(c, attacker, 3);
    await simAction(c, attacker, "activateSim", active!.id);
    await setProtection(c, attacker, protectedSim!.id, true);
    const [forTransfer] = await ownSims(c, attacker, 1);
    const pending = await issue(c, attacker, tenant, [forTransfer!.id]);
    expect(pending.userErrors).toEqual([]);
    const transferId = pending.transfer!.id as string;

    const sim = (id: string) => ({ i: { simId: id } });
    const destination = { destinationOperatorId: tenant.operatorId, destinationEmail: tenant.email };
    // Every mutation that locks the operator (lockOperator), SIMs (lockSims) or a transfer (lockTransfer).
    const rounds: [string, string, () => Record<string, unknown>][] = [
      ["addEmailAddress", `mutation($a: String!) { addEmailAddress(input: { address: $a }) { userErrors { code } } }`, () => ({ a: uniqueEmail("flood") })],
      ["setEmailRole", `mutation($i: SetEmailRoleInput!) { setEmailRole(input: $i) { userErrors { code } } }`, () => ({ i: { role: "PRIMARY", emailAddressIds: [extra] } })],
      ["setEmailRole", `mutation($i: SetEmailRoleInput!) { setEmailRole(input: $i) { userErrors { code } } }`, () => ({ i: { role: "BILLING", emailAddressIds: [extra] } })],
      ["createAuthKey", `mutation { createAuthKey { authKeyId userErrors { code } } }`, () => ({})],
      [
        "requestOfficeHours",
        `mutation($i: RequestOfficeHoursInput!) { requestOfficeHours(input: $i) { userErrors { code } } }`,
        () => ({ i: { topic: "flood", candidateSlots: [{ startsAt: "2031-03-04T02:00:00Z", durationMinutes: 30 }] } }),
      ],
      ...["activateSim", "deactivateSim", "setSimToStandby", "suspendSim", "terminateSim"].map(
        (name): [string, string, () => Record<string, unknown>] => [name, `mutation($i: SimInput!) { ${name}(input: $i) { userErrors { code } } }`, () => sim(protectedSim!.id)],
      ),
      ["terminateSims", `mutation($i: TerminateSimsInput!) { terminateSims(input: $i) { results { userErrors { code } } userErrors { code } } }`, () => ({ i: { simIds: [protectedSim!.id, active!.id] } })],
      [
        "setSimTerminationProtection",
        `mutation($i: SetSimTerminationProtectionInput!) { setSimTerminationProtection(input: $i) { userErrors { code } } }`,
        () => ({ i: { simId: protectedSim!.id, enabled: true } }),
      ],
      ["setSimExpiry", `mutation($i: SetSimExpiryInput!) { setSimExpiry(input: $i) { userErrors { code } } }`, () => ({ i: { simId: active!.id, expiresAt: "2031-01-01T00:00:00Z", action: "DEACTIVATE" } })],
      ["clearSimExpiry", `mutation($i: SimInput!) { clearSimExpiry(input: $i) { userErrors { code } } }`, () => sim(active!.id)],
      ["updateSim", `mutation($i: UpdateSimInput!) { updateSim(input: $i) { userErrors { code } } }`, () => ({ i: { simId: active!.id, name: "flood", tags: [{ name: "k", value: "v" }] } })],
      ["issueSimTransfer", `mutation($i: IssueSimTransferInput!) { issueSimTransfer(input: $i) { userErrors { code } } }`, () => ({ i: { simIds: [ready!.id], ...destination } })],
      ["applyForSimTransfer", `mutation($i: ApplyForSimTransferInput!) { applyForSimTransfer(input: $i) { userErrors { code } } }`, () => ({ i: { simIds: [active!.id], ...destination } })],
      ["rejectSimTransfer", `mutation($i: SimTransferDecisionInput!) { rejectSimTransfer(input: $i) { userErrors { code } } }`, () => ({ i: { transferId } })],
      ["acceptSimTransfer", `mutation($i: SimTransferDecisionInput!) { acceptSimTransfer(input: $i) { userErrors { code } } }`, () => ({ i: { transferId } })],
      ["cancelSimTransfer", `mutation($i: CancelSimTransferInput!) { cancelSimTransfer(input: $i) { userErrors { code } } }`, () => ({ i: { transferId } })],
    ];

    // The other tenant reads all the while, two requests at a time.
    const latencies: number[] = [];
    const readStatuses = new Set<number>();
    let flooding = true;
    const reader = async () => {
      while (flooding) {
        const started = performance.now();
        const answer = await call(`{ viewer { id } }`, {}, tenant.token);
        latencies.push(performance.now() - started);
        readStatuses.add(answer.status);
        expect(answer.body.data?.viewer?.id).toBe(tenant.id);
      }
    };
    const readers = [reader(), reader()];

    const unexpected: string[] = [];
    let busy = 0;
    try {
      for (const [field, query, variables] of rounds) {
        const answers = await Promise.all(Array.from({ length: CALLS }, () => call(query, variables(), attacker.token)));
        for (const a of answers) {
          if (a.status === 429 && a.retryAfter !== null && a.body.errors?.[0]?.extensions?.code === "OPERATOR_BUSY") busy += 1;
          else if (a.status !== 200 || a.body.errors?.length || !Array.isArray(a.body.data?.[field]?.userErrors)) unexpected.push(`${field}: HTTP ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`);
        }
      }
    } finally {
      flooding = false;
      await Promise.all(readers);
    }

    expect(unexpected).toEqual([]);
    expect([...readStatuses]).toEqual([200]);
    expect(latencies.length).toBeGreaterThan(20);
    expect(percentile(latencies, 99), `p99 of ${latencies.length} reads (p50 ${Math.round(percentile(latencies, 50))} ms); ${busy} writes refused OPERATOR_BUSY`).toBeLessThan(200);
  });
});
