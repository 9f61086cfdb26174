// Verification mail is limited per recipient address and per operator and hour, in counters kept in
// the database: adding and removing a stranger's address over and over cannot mail them without end.
import { describe, expect, it, onTestFinished } from "vitest";
import { createApp } from "../src/app.ts";
import { createLogger } from "../src/logger.ts";
import { signUp, uniqueEmail, type TestOperator } from "./support/accounts.ts";
import { graphqlOver, startHarness, type Harness } from "./support/harness.ts";

const LIMITS = { SIMGATE_VERIFICATION_MAIL_PER_ADDRESS_PER_HOUR: "3", SIMGATE_VERIFICATION_MAIL_PER_OPERATOR_PER_HOUR: "6" };
const h = await startHarness({ env: LIMITS });

const ADD = `mutation($a: String!) { addEmailAddress(input: { address: $a }) { emailAddress { id } userErrors { code message field } } }`;
const REMOVE = `mutation($id: ID!) { removeEmailAddress(input: { emailAddressId: $id }) { userErrors { code } } }`;
const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { token operator { id } userErrors { code message field } } }`;

type Gql = Pick<Harness, "ok">;

async function add(op: TestOperator, address: string, via: Gql = h) {
  return (await via.ok(ADD, { a: address }, op.token)).addEmailAddress as { emailAddress: { id: string } | null; userErrors: { code: string; message: string; field: string[] }[] };
}

async function addAndRemove(op: TestOperator, address: string, via: Gql = h) {
  const added = await add(op, address, via);
  expect(added.userErrors).toEqual([]);
  expect((await via.ok(REMOVE, { id: added.emailAddress!.id }, op.token)).removeEmailAddress.userErrors).toEqual([]);
}

const verificationMails = (address: string) =>
  h.app.db.outboxMessage.count({ where: { kind: "EMAIL_VERIFICATION", to: JSON.stringify([address.toLowerCase()]) } });

function expectMailLimit(payload: { userErrors: { code: string; message: string; field: string[] }[] }, field: string[], limit: number) {
  expect(payload.userErrors).toEqual([{ code: "TOO_MANY_ITEMS", message: expect.stringContaining(`At most ${limit} verification messages per hour`), field }]);
}

describe("verification mail limits", () => {
  it("adding and removing one address over and over mails it 3 times an hour; the 4th addition is refused with TOO_MANY_ITEMS and changes nothing", async () => {
    const op = await signUp(h);
    const victim = uniqueEmail("victim");
    for (let i = 0; i < 3; i += 1) await addAndRemove(op, victim);
    const fourth = await add(op, victim);
    expect(fourth.emailAddress).toBeNull();
    expectMailLimit(fourth, ["input", "address"], 3);
    expect(fourth.userErrors[0]!.message).toMatch(/Try again after \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\./);
    expect(await verificationMails(victim)).toBe(3);
    const addresses = await h.ok(`{ viewer { emailAddresses { address } } }`, {}, op.token);
    expect(addresses.viewer.emailAddresses.map((a: { address: string }) => a.address)).toEqual([op.email]);
    // The window ends an hour after its first message.
    h.clock.advance(3_600_001);
    try {
      const fresh = await signUp(h);
      expect((await add(fresh, victim)).userErrors).toEqual([]);
      expect(await verificationMails(victim)).toBe(4);
    } finally {
      h.clock.reset();
    }
  });

  it("the per-address limit counts every operator together", async () => {
    const [a, b] = [await signUp(h), await signUp(h)];
    const victim = uniqueEmail("shared-victim");
    await addAndRemove(a, victim);
    await addAndRemove(b, victim);
    await addAndRemove(a, victim);
    expectMailLimit(await add(b, victim), ["input", "address"], 3);
    expect(await verificationMails(victim)).toBe(3);
  });

  it("refused additions send nothing and count nothing: an address already on the account, or malformed, leaves the budget as it was", async () => {
    const op = await signUp(h);
    const address = uniqueEmail("patient");
    const first = await add(op, address);
    for (let i = 0; i < 5; i += 1) expect((await add(op, address)).userErrors.map((e) => e.code)).toEqual(["EMAIL_ALREADY_ADDED"]);
    for (let i = 0; i < 5; i += 1) expect((await add(op, "not an address")).userErrors.map((e) => e.code)).toEqual(["EMAIL_INVALID"]);
    await h.ok(REMOVE, { id: first.emailAddress!.id }, op.token);
    await addAndRemove(op, address);
    await addAndRemove(op, address);
    expect(await verificationMails(address)).toBe(3);
  });

  it("one operator causes at most 6 verification messages an hour, whatever the addresses; other operators are not affected", async () => {
    const op = await signUp(h);
    // signUp's own message counts for its address only (the operator did not exist yet).
    for (let i = 0; i < 6; i += 1) expect((await add(op, uniqueEmail("many"))).userErrors).toEqual([]);
    const seventh = uniqueEmail("seventh");
    expectMailLimit(await add(op, seventh), ["input", "address"], 6);
    expect(await verificationMails(seventh)).toBe(0);
    const other = await signUp(h);
    expect((await add(other, seventh)).userErrors).toEqual([]);
  });

  it("signUp to an address past its hourly limit is refused with TOO_MANY_ITEMS: no operator, no mail", async () => {
    const op = await signUp(h);
    const address = uniqueEmail("later-operator");
    for (let i = 0; i < 3; i += 1) await addAndRemove(op, address);
    const refused = (await h.ok(SIGN_UP, { i: { email: address, password: "a long password", name: "Later" } })).signUp;
    expect([refused.token, refused.operator]).toEqual([null, null]);
    expectMailLimit(refused, ["input", "email"], 3);
    expect(await verificationMails(address)).toBe(3);
    const signIn = await h.ok(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { userErrors { code } } }`, { i: { email: address, password: "a long password" } });
    expect(signIn.authenticate.userErrors).toEqual([{ code: "CREDENTIALS_INVALID" }]);
  });

  it("the counts live in the database: a second server instance on it sees the same budget, and no counter names the address", async () => {
    // Same configuration and database, its own process state.
    const second = await createApp(h.app.config, {
      clock: h.clock,
      logger: createLogger("silent"),
    });
    onTestFinished(() => second.close());
    const via = graphqlOver(({ body, headers = {} }) =>
      second.handle(new Request("http://second.test/graphql", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) })),
    );
    const op = await signUp(h);
    const victim = uniqueEmail("two-instances");
    await addAndRemove(op, victim);
    await addAndRemove(op, victim, via);
    await addAndRemove(op, victim);
    expectMailLimit(await add(op, victim, via), ["input", "address"], 3);
    const counters = await h.app.db.rateLimitCounter.findMany({ where: { key: { startsWith: "verification-mail:" } } });
    expect(counters.length).toBeGreaterThan(0);
    expect(counters.filter((c) => c.key.includes("@") || c.key.includes(op.id))).toEqual([]);
  });
});
