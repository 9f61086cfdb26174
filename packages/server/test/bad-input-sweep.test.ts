// A property-based sweep of bad input. For every Query and Mutation field of the
// printed schema (a superset of the contract) and every operator field that takes arguments,
// fast-check builds argument values from the field's input types — valid-looking values mixed with
// hostile ones — and sends them over HTTP as variables or inline literals, anonymously, as an
// operator or as the administrator. Each answer must be: no 5xx, no INTERNAL_SERVER_ERROR, no
// internals in any message, and no change of state when it is a refusal. bad-input.test.ts keeps
// the hand-written cases. SIMGATE_SWEEP_RUNS sets the runs per field; a failure prints its seed,
// which SIMGATE_SWEEP_SEED replays.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import {
  type GraphQLObjectType,
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
} from "graphql";
import { afterAll, describe, expect, it } from "vitest";
import { addVerifiedEmail, lastMail, signUp, uniqueEmail } from "./support/accounts.ts";
import { ADMIN_SECRET, startHarness } from "./support/harness.ts";
import { newSimSpec, ownSims } from "./support/sims.ts";
import { snapshot } from "./support/snapshot.ts";
import { schema as builtSchema } from "@simgate/schema/graphql";
import { issued } from "./support/transfers.ts";

const RUNS = Number(process.env.SIMGATE_SWEEP_RUNS ?? 10);
/** Replays a printed seed (the database has moved on since, so a replay is close, not exact). */
const SEED = process.env.SIMGATE_SWEEP_SEED ? Number(process.env.SIMGATE_SWEEP_SEED) : undefined;

const h = await startHarness({
  // The sweep sends many sign-ins from one client on purpose; brute-force limits have their own
  // tests; here they would turn most runs into 429s.
  // High budgets rather than none, so the limiter still sees every hostile key (huge emails…).
  env: { SIMGATE_RATE_LIMIT_PER_IP: "1000000", SIMGATE_RATE_LIMIT_PER_ACCOUNT: "1000000", SIMGATE_RATE_LIMIT_PER_CLIENT: "1000000" },
});

// ---- Fixtures: one operator with a bit of everything, and a foreign operator for foreign IDs. ----
const op = await signUp(h);
const other = await signUp(h);
const extraEmail = uniqueEmail("sweep");
const extraEmailId = await addVerifiedEmail(h, op, extraEmail);
const ownSimRefs = await ownSims(h, op, 4);
const foreignSimRefs = await ownSims(h, other, 3);
const spareSim = newSimSpec(); // provisioned, not registered: registerSim can succeed with it
await h.ok(`mutation($i: AdminProvisionSimsInput!) { adminProvisionSims(input: $i) { provisionedCount } }`, { i: { sims: [spareSim] } }, ADMIN_SECRET);
const ticketId = (
  await h.ok(
    `mutation { createSupportTicket(input: { category: CONNECTIVITY, subject: "s", body: "b" }) { ticket { id } } }`,
    {},
    op.token,
  )
).createSupportTicket.ticket.id as string;
const foreignTicketId = (
  await h.ok(`mutation { createSupportTicket(input: { category: DOCUMENTATION, subject: "s", body: "b" }) { ticket { id } } }`, {}, other.token)
).createSupportTicket.ticket.id as string;
const pendingTransfer = await issued(h, other, op, [foreignSimRefs[0]!.id]);
const verificationToken = (await lastMail(h, op.email, "EMAIL_VERIFICATION"))?.token ?? "sgv_none";
const authKey = (await h.ok(`mutation { createAuthKey { authKeyId authKey } }`, {}, op.token)).createAuthKey as { authKeyId: string; authKey: string };
const cursor = (await h.ok(`{ viewer { sims(first: 1) { edges { cursor } } } }`, {}, op.token)).viewer.sims.edges[0].cursor as string;

const b64 = (s: string) => Buffer.from(s).toString("base64");
const HUGE = "x".repeat(100_000);

// ---- Value pools: valid-looking values (so runs get past validation), then hostile ones. ----
const hostileStrings = [
  "",
  " ",
  "\n\t\r",
  HUGE,
  `${HUGE}@example.com`,
  "\u202Eevil\u202C", // right-to-left override
  "a\u200Bb\u200D\uFEFF", // zero-width characters, BOM
  "😀👩‍👩‍👧🏳️‍🌈",
  "\uD800", // lone high surrogate
  "x\uDC00y", // lone low surrogate
  "a\u0000b", // NUL
  "\u0000",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ＡＢＣ İß",
  "' OR 1=1 --",
  "'; DROP TABLE \"Sim\"; --",
  "%",
  "_",
  "\\",
  "%_\\%",
  "<script>alert(1)</script>",
  "${jndi:ldap://x}",
  "../../etc/passwd",
];
const globalIds = [
  ...ownSimRefs.map((s) => s.id),
  op.id,
  op.primaryEmailId,
  extraEmailId,
  ticketId,
  pendingTransfer.id,
];
const foreignIds = [...foreignSimRefs.map((s) => s.id), other.id, other.primaryEmailId, foreignTicketId];
const malformedIds = [
  "",
  "%%%",
  "null",
  b64("Sim:"),
  b64("Sim:does-not-exist"),
  b64("Sim:' OR 1=1 --"),
  b64("Sim:" + "9".repeat(80)),
  b64("NoSuchType:1"),
  b64(`EmailAddress:${Buffer.from(ownSimRefs[0]!.id, "base64").toString().split(":")[1]}`), // a SIM's row ID under another type
  "U2lt", // base64 without the separator
  "Sim:1",
  b64("x".repeat(300)),
  HUGE,
  "\uD800",
];
/** Valid-looking strings by input field name; the rest get generic words. */
function hintedStrings(name: string): string[] {
  const n = name.toLowerCase();
  if (/email|address|^to$/.test(n)) return [op.email, other.email, extraEmail, uniqueEmail("new"), op.email.toUpperCase(), "nope", "a@", "@b.example"];
  if (/password/.test(n)) return [op.password, "wrong password!", "short"];
  if (n === "authkey") return [authKey.authKey, "sgk_wrong"];
  if (n === "authkeyid") return [authKey.authKeyId, "keyId-nope"];
  if (/operatorid/.test(n)) return [op.operatorId, other.operatorId, "OP-NOPE"];
  if (n === "imsi") return [ownSimRefs[1]!.imsi, foreignSimRefs[1]!.imsi, spareSim.imsi, "440100000000000", "44"];
  if (n === "registrationsecret") return [spareSim.registrationSecret, "reg-secret-wrong"];
  if (n === "iccid") return [newSimSpec().iccid, "8981"];
  if (n === "msisdn") return ["08012345678", "+81"];
  if (n === "subscription") return ["plan01s", "plan-D", "plan-K", "planX"];
  if (n === "token") return [pendingTransfer.token, verificationToken, "sgv_nope", "sgt_nope"];
  if (n === "after" || n === "before") return [cursor, "bm90IGEgY3Vyc29y", "!!!"];
  if (n === "cardlast4") return ["4242", "12345", "abcd"];
  if (n === "meetingurl") return ["https://meet.example.com/x", "http://insecure.example", "javascript:alert(1)"];
  if (n === "action") return ["createAuthKey", "terminateSim", "nope"];
  return ["Test", "site", "osaka", "a", "0"];
}

const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant({}),
  fc.constant({ unexpected: 1 }),
  fc.constant([1, "x", null]),
  fc.constant("not-the-right-type"),
);

/** In a huge list the 100 kB strings (here and among malformed IDs) are left out: 10,001 of them would not fit in one request string. */
function stringArb(name: string, inHugeList = false): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...hintedStrings(name)) },
    { weight: 3, arbitrary: fc.constantFrom(...(inHugeList ? hostileStrings.filter((h) => h.length <= 1000) : hostileStrings)) },
    { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) }, // any code point
    { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 10 }) }, // lone surrogates, controls
  );
}

const pageSizes = [-1, 0, 1, 2, 10, 100, 101, 1000, 1001, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 1.5, 1e15, -0];
const instants = () => {
  const now = Date.now();
  return [
    new Date(now + 86_400_000).toISOString(),
    new Date(now + 10 * 86_400_000).toISOString(),
    new Date(now - 86_400_000).toISOString(),
    "2026-13-45T99:00:00Z",
    "yesterday",
    "",
    "0000-01-01T00:00:00Z",
    "+275760-09-13T00:00:00.000Z",
    "9999-12-31T23:59:59Z",
    "2026-01-01",
    "2026-01-01T10:00:00+09:00",
  ];
};

/**
 * Values for one input type; `name` is the argument or input field name (for hints). With `typed`
 * every value has the right GraphQL type (hostile content only), so requests get past validation
 * into the resolvers; without, wrong types, nulls for required values and missing fields join in.
 */
function valueArb(type: GraphQLInputType, name: string, typed: boolean, depth = 0, inHugeList = false): fc.Arbitrary<unknown> {
  const broken = (a: fc.Arbitrary<unknown>, weight = 10) => (typed ? a : fc.oneof({ weight, arbitrary: a }, { weight: 1, arbitrary: wrongType }));
  if (isNonNullType(type)) {
    const inner = valueArb(type.ofType, name, typed, depth, inHugeList);
    return typed ? inner : fc.oneof({ weight: 12, arbitrary: inner }, { weight: 1, arbitrary: fc.constant(null) });
  }
  const nullable = (a: fc.Arbitrary<unknown>) => fc.oneof({ weight: 10, arbitrary: a }, { weight: 1, arbitrary: fc.constant(null) });
  if (isListType(type)) {
    const item = valueArb(type.ofType, name, typed, depth + 1, inHugeList);
    // Huge lists, past every documented batch limit (1,000 SIMs, 1,000 provisioned); one level
    // only: huge lists of huge lists (permission statements' actions, say) would not fit in a string.
    const huge = inHugeList
      ? []
      : [{ weight: 1, arbitrary: fc.tuple(valueArb(type.ofType, name, typed, depth + 1, true), fc.constantFrom(1001, 10_001)).map(([v, n]) => Array.from({ length: n }, () => v)) }];
    return nullable(
      broken(
        fc.oneof(
          { weight: 8, arbitrary: fc.array(item, { maxLength: 4 }) },
          { weight: 1, arbitrary: item }, // a single value where a list is expected (GraphQL coerces it)
          ...huge,
        ),
      ),
    );
  }
  if (isInputObjectType(type)) {
    if (depth > 3) return fc.constant(null);
    const entries = Object.values(type.getFields()).map((f) => {
      const present = valueArb(f.type, f.name, typed, depth + 1, inHugeList).map((v) => [f.name, v] as const);
      // Optional fields come and go; without `typed`, required ones go missing now and then.
      if (isNonNullType(f.type) && typed) return present;
      return fc.oneof({ weight: isNonNullType(f.type) ? 12 : 3, arbitrary: present }, { weight: isNonNullType(f.type) ? 1 : 2, arbitrary: fc.constant(null) });
    });
    const extra = typed ? fc.constant(null) : fc.option(fc.constant(["unknownField", "x"] as const), { freq: 10 });
    const object = fc
      .tuple(fc.tuple(...entries), extra)
      .map(([pairs, more]) => Object.fromEntries([...pairs, ...(more ? [more] : [])].filter((p): p is readonly [string, unknown] => p !== null)));
    return nullable(typed ? object : fc.oneof({ weight: 10, arbitrary: object }, { weight: 1, arbitrary: wrongType }, { weight: 1, arbitrary: fc.array(object, { maxLength: 2 }) }));
  }
  if (isEnumType(type)) {
    const names = type.getValues().map((v) => v.name);
    return nullable(typed ? fc.constantFrom(...names) : fc.oneof({ weight: 10, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.constantFrom("OWNER", names[0]!.toLowerCase(), "") }, { weight: 1, arbitrary: wrongType }));
  }
  const scalar = type.name;
  let arb: fc.Arbitrary<unknown>;
  if (scalar === "ID") {
    arb = fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...globalIds) },
      { weight: 3, arbitrary: fc.constantFrom(...foreignIds) },
      { weight: 3, arbitrary: fc.constantFrom(...(inHugeList ? malformedIds.filter((m) => m.length <= 1000) : malformedIds)) },
      { weight: 1, arbitrary: fc.integer() }, // GraphQL accepts integers as IDs
      { weight: 1, arbitrary: stringArb(name, inHugeList) },
    );
  } else if (scalar === "Int") {
    // Ints past 32 bits and floats are type errors in GraphQL: only when not `typed`.
    const ints = /^(first|last)$/.test(name)
      ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...pageSizes.filter((n) => typed ? Number.isInteger(n) && Math.abs(n) < 2 ** 31 : true)) }, { weight: 1, arbitrary: fc.integer() })
      : fc.oneof(fc.integer({ min: -10, max: 200_000 }), fc.constantFrom(0, -1, 30, 45, 60, 2 ** 31 - 1, -(2 ** 31)), ...(typed ? [] : [fc.constantFrom(2 ** 31, 1.5, 1e300)]));
    arb = ints;
  } else if (scalar === "Float") {
    arb = fc.double({ noNaN: true, noDefaultInfinity: true });
  } else if (scalar === "Boolean") {
    arb = typed ? fc.boolean() : fc.oneof({ weight: 6, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constantFrom("true", 1, 0) });
  } else if (scalar === "DateTime") {
    arb = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...instants()) },
      { weight: 2, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
      { weight: 1, arbitrary: typed ? fc.constant("2026-06-01T12:00:00Z") : fc.integer() },
      { weight: 1, arbitrary: stringArb(name, inHugeList) },
    );
  } else if (scalar === "Date") {
    arb = fc.oneof(fc.constantFrom("2026-12-01", "2026-02-30", "2026-1-1", "x"), stringArb(name, inHugeList));
  } else {
    arb = stringArb(name, inHugeList); // String and any other custom scalar
  }
  return nullable(broken(arb));
}

// ---- Documents: a selection of every argument-free field two levels down, args inline or as variables. ----
function selection(type: GraphQLOutputType, depth: number): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return "";
  const parts = ["__typename"];
  if (isObjectType(named) || isInterfaceType(named)) {
    for (const f of Object.values(named.getFields())) {
      if (f.args.length) continue; // connections need first/last: they are targets of their own
      const fieldType = getNamedType(f.type);
      if (isLeafType(fieldType)) parts.push(f.name);
      else if (depth > 0 && isObjectType(fieldType)) parts.push(`${f.name} { ${selection(f.type, depth - 1)} }`);
      else if (depth > 0) parts.push(`${f.name} { __typename }`);
    }
  }
  return parts.join(" ");
}

function literal(value: unknown, type: GraphQLInputType | undefined): string {
  const inner = type && isNonNullType(type) ? type.ofType : type;
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, inner && isListType(inner) ? inner.ofType : undefined)).join(", ")}]`;
  if (typeof value === "object") {
    const fields = inner && isInputObjectType(inner) ? inner.getFields() : {};
    return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${literal(v, fields[k]?.type)}`).join(", ")} }`;
  }
  if (typeof value === "string" && inner && isEnumType(inner) && /^[_A-Za-z]\w*$/.test(value) && !["true", "false", "null"].includes(value)) return value;
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

interface Target {
  name: string;
  operation: "query" | "mutation";
  field: GraphQLField<unknown, unknown>;
  /** Wraps the field's text into the path that reaches it. */
  wrap: (inner: string) => string;
  callers: Caller[];
}
type Caller = "anonymous" | "operator" | "admin";

const schema = buildSchema(readFileSync(new URL("../../schema/schema.graphql", import.meta.url), "utf8"));
// Mostly the operator (the calls that reach resolvers), some anonymous and administrator calls.
const everyone: Caller[] = ["anonymous", "operator", "operator", "operator", "admin"];
const targets: Target[] = [];
for (const field of Object.values(schema.getQueryType()!.getFields())) {
  targets.push({ name: `Query.${field.name}`, operation: "query", field, wrap: (x) => x, callers: everyone });
}
for (const field of Object.values(schema.getMutationType()!.getFields())) {
  // logout with the fixture's token would sign the sweep out; anonymously and as admin it still runs.
  targets.push({ name: `Mutation.${field.name}`, operation: "mutation", field, wrap: (x) => x, callers: field.name === "logout" ? ["anonymous", "admin"] : field.name.startsWith("admin") ? ["admin", "admin", "admin", "operator", "anonymous"] : everyone });
}
for (const field of Object.values((schema.getType("Operator") as import("graphql").GraphQLObjectType).getFields())) {
  if (field.args.length) targets.push({ name: `Query.viewer.${field.name}`, operation: "query", field, wrap: (x) => `viewer { ${x} }`, callers: ["operator", "operator", "anonymous"] });
}
for (const field of Object.values((schema.getType("Sim") as import("graphql").GraphQLObjectType).getFields())) {
  const simId = JSON.stringify(ownSimRefs[0]!.id);
  if (field.args.length) targets.push({ name: `Query.node.Sim.${field.name}`, operation: "query", field, wrap: (x) => `node(id: ${simId}) { ... on Sim { ${x} } }`, callers: ["operator"] });
}

interface Request {
  values: Record<string, unknown>; // argument name → value; absent: left out
  inline: boolean;
  caller: Caller;
}

function argumentsArb(target: Target, typed: boolean): fc.Arbitrary<Record<string, unknown>> {
  const args = target.field.args.map((a: GraphQLArgument) => {
    const present = valueArb(a.type, a.name, typed).map((v) => [a.name, v] as const);
    if (isNonNullType(a.type) && typed) return present;
    return fc.oneof({ weight: isNonNullType(a.type) ? 12 : 3, arbitrary: present }, { weight: 1, arbitrary: fc.constant(null) });
  });
  return fc.tuple(...args).map((pairs) => Object.fromEntries(pairs.filter((p): p is readonly [string, unknown] => p !== null)));
}

/** Three runs in four are well-typed (they reach the resolvers), one in four is not. */
function requestArb(target: Target): fc.Arbitrary<Request> {
  return fc.record({
    values: fc.oneof({ weight: 3, arbitrary: argumentsArb(target, true) }, { weight: 1, arbitrary: argumentsArb(target, false) }),
    inline: fc.boolean(),
    caller: fc.constantFrom(...target.callers),
  });
}

function documentFor(target: Target, request: Request): { query: string; variables?: Record<string, unknown> } {
  const { field } = target;
  const sel = selection(field.type, 2);
  const body = (args: string) => target.wrap(`${field.name}${args}${sel ? ` { ${sel} }` : ""}`);
  if (request.inline) {
    const args = field.args.filter((a) => a.name in request.values).map((a) => `${a.name}: ${literal(request.values[a.name], a.type)}`);
    return { query: `${target.operation} { ${body(args.length ? `(${args.join(", ")})` : "")} }` };
  }
  const declared = field.args.map((a) => `$${a.name}: ${String(a.type)}`);
  const args = field.args.map((a) => `${a.name}: $${a.name}`);
  return {
    query: `${target.operation}${declared.length ? `(${declared.join(", ")})` : ""} { ${body(args.length ? `(${args.join(", ")})` : "")} }`,
    variables: request.values,
  };
}

// ---- Checks. ----
const LEAKS: RegExp[] = [
  /Invalid `prisma/i,
  /prisma/i,
  /\n\s+at /, // a stack trace
  /\bat (?:async )?[\w$.<>]+ \(/, // one stack frame
  /(?:node_modules|\/work\/|\/home\/|\/usr\/)/,
  /\.(?:ts|js|mjs|cjs):\d+/,
  /SQLITE_\w+|sqlite/i,
  /postgres|syntax error at or near|duplicate key value|violates \w+ (?:key )?constraint|relation "|column "/i,
  /Unexpected error\./,
];

function caps(s: string, n = 600): string {
  return s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s;
}

/** The database as the last answer left it; null after a failed check (then taken afresh). */
let state: string | null = await snapshot(h.app.db);

/** Outcomes per target ("Mutation.signUp ok" → count); SIMGATE_SWEEP_STATS=1 prints them. */
const tally = new Map<string, number>();
afterAll(() => {
  if (process.env.SIMGATE_SWEEP_STATS) console.log([...tally].sort().map(([k, v]) => `${k}: ${v}`).join("\n"));
});
/** Runs whose mutation returned its payload (success or userErrors): the resolvers were reached. */
let executed = { mutations: 0, reached: 0 };

async function send(target: Target, request: Request): Promise<void> {
  const before = state ?? (await snapshot(h.app.db));
  state = null;
  const doc = documentFor(target, request);
  const token = request.caller === "operator" ? op.token : request.caller === "admin" ? ADMIN_SECRET : null;
  const response = await h.raw({ body: doc, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  const where = `${target.name} as ${request.caller}, ${request.inline ? "inline" : "variables"}\n${caps(JSON.stringify(doc))}\n→ ${response.status} ${caps(text)}`;

  expect(response.status, where).toBeLessThan(500);
  // Our own input can come back quoted in validation messages; everything else must be clean.
  let echoed = text;
  for (const s of [...hostileStrings, ...malformedIds]) if (s.length > 3) echoed = echoed.split(JSON.stringify(s).slice(1, -1)).join("");
  for (const leak of LEAKS) expect(echoed, `${where}\nleaks ${leak}`).not.toMatch(leak);

  let body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] } = {};
  try {
    body = JSON.parse(text);
  } catch {
    expect(response.status, `${where}\nnot JSON`).toBeGreaterThanOrEqual(400); // e.g. a plain 4xx from a limit
  }
  for (const error of body.errors ?? []) expect(error.extensions?.code, where).not.toBe("INTERNAL_SERVER_ERROR");

  const payload = target.operation === "mutation" ? (body.data?.[target.field.name] as Record<string, unknown> | null | undefined) : undefined;
  const userErrors = (payload?.userErrors as unknown[] | undefined) ?? [];
  // adminProvisionSims refuses SIMs one by one and adds the rest: a partial success.
  const partial = typeof payload?.provisionedCount === "number" && payload.provisionedCount > 0;
  if (target.operation === "mutation") executed = { mutations: executed.mutations + 1, reached: executed.reached + (payload ? 1 : 0) };
  const refused = response.status >= 400 || (body.errors?.length ?? 0) > 0 || !payload || (userErrors.length > 0 && !partial);
  const outcome = response.status >= 400 ? `http ${response.status}` : body.errors?.length ? `error ${body.errors[0]!.extensions?.code ?? body.errors[0]!.message.slice(0, 80)}` : userErrors.length ? `userErrors ${JSON.stringify(userErrors[0]).slice(0, 80)}` : "ok";
  tally.set(`${target.name} ${outcome}`, (tally.get(`${target.name} ${outcome}`) ?? 0) + 1);
  const after = await snapshot(h.app.db);
  if (target.operation === "query" || refused) {
    expect(after === before, `${where}\nchanged the database on a ${target.operation === "query" ? "query" : "refusal"}`).toBe(true);
  }
  state = after;
}

describe("bad-input sweep (fast-check) over every query and mutation", () => {
  it("covers every Query and Mutation field of the contract", () => {
    const contract = buildSchema(readFileSync(new URL("../../../contract/schema.graphql", import.meta.url), "utf8"));
    const swept = new Set(targets.map((t) => t.name));
    const missing = [
      ...Object.keys(contract.getQueryType()!.getFields()).map((f) => `Query.${f}`),
      ...Object.keys(contract.getMutationType()!.getFields()).map((f) => `Mutation.${f}`),
    ].filter((n) => !swept.has(n));
    expect(missing).toEqual([]);
  });

  it.each(targets.map((t) => [t.name, t] as const))("%s: hostile arguments never 5xx, never leak, never change state on refusal", async (_name, target) => {
    await fc.assert(
      fc.asyncProperty(requestArb(target), (request) => send(target, request)),
      {
        numRuns: RUNS,
        ...(SEED === undefined ? {} : { seed: SEED }),
        // A counterexample can hold 100,000-item lists: report the seed and the failed check, not the
        // whole input (fast-check's own report would not fit in a string).
        endOnFailure: true,
        reporter: (run) => {
          if (run.failed) throw new Error(`seed ${run.seed} (SIMGATE_SWEEP_SEED replays it): ${caps(String(run.errorInstance), 4000)}`);
        },
      },
    );
    // The fixture's token must still work, or later targets would only test anonymous calls.
    expect((await h.ok(`{ viewer { id } }`, {}, op.token)).viewer?.id).toBe(op.id);
  });

  it("reached the resolvers in a good share of mutation runs (the sweep is not refused wholesale)", () => {
    // About half reach them (typed values, signed in); a sweep stopped at the door proves nothing.
    expect(executed.mutations).toBeGreaterThan(0);
    expect(executed.reached / executed.mutations).toBeGreaterThan(0.25);
  });
});

// ---- Cursors of every connection, and the boundaries of every bounded list. ----

/** Every field of the printed schema that returns a connection, with the path that reaches it. */
function connectionTargets(): { name: string; wrap: (inner: string) => string; field: GraphQLField<unknown, unknown> }[] {
  const simId = JSON.stringify(ownSimRefs[0]!.id);
  const reach: Record<string, (inner: string) => string> = {
    Query: (x) => x,
    Operator: (x) => `viewer { ${x} }`,
    Sim: (x) => `node(id: ${simId}) { ... on Sim { ${x} } }`,
    // Cursors are decoded before execution, so the check holds with no endpoint to walk into.
    WebhookEndpoint: (x) => `viewer { webhookEndpoints { ${x} } }`,
  };
  const found: { name: string; wrap: (inner: string) => string; field: GraphQLField<unknown, unknown> }[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      if (!getNamedType(field.type).name.endsWith("Connection") || isListType(isNonNullType(field.type) ? field.type.ofType : field.type)) continue;
      const wrap = reach[type.name];
      // A connection on a type this sweep cannot reach fails here, so new ones are never skipped.
      expect(wrap, `no path to ${type.name}.${field.name} in the cursor sweep`).toBeDefined();
      found.push({ name: `${type.name}.${field.name}`, wrap: wrap!, field });
    }
  }
  return found;
}

const b64url = (s: string) => Buffer.from(s).toString("base64url");
const someRowId = "01930000-0000-7000-8000-000000000000";
const hostileCursors: [string, string][] = [
  ["garbage", "!!!"],
  ["empty", ""],
  ["not base64 of a cursor", "bm90IGEgY3Vyc29y"],
  ["NUL in base64", b64("GPC:S:a\u0000b")],
  ["NUL as the row ID", b64("GPC:S:\u0000")],
  ["number instead of ID", b64("GPC:N:12")],
  ["JSON instead of ID", b64("GPC:J:{\"id\":{\"not\":null}}")],
  ["instant instead of ID", b64("GPC:D:253402300800000")],
  ["SQL in the ID", b64("GPC:S:' OR 1=1 --")],
  ["over-long ID", b64(`GPC:S:${"a".repeat(500)}`)],
  ["keyset of another order", b64url(JSON.stringify(["IMSI", "440100000000000", someRowId]))],
  ["keyset past year 9999", b64url(JSON.stringify(["CREATED_AT", "+275760-09-13T00:00:00.000Z", someRowId]))],
  ["keyset before 1970", b64url(JSON.stringify(["CREATED_AT", "1969-12-31T23:59:59.999Z", someRowId]))],
  ["keyset year 0", b64url(JSON.stringify(["CREATED_AT", "0000-01-01T00:00:00.000Z", someRowId]))],
  ["keyset with NUL in the ID", b64url(JSON.stringify(["CREATED_AT", "2026-01-01T00:00:00.000Z", "a\u0000b"]))],
  ["keyset with NUL in the value", b64url(JSON.stringify(["CREATED_AT", "2026-01-01T00:00:00.000Z\u0000", someRowId]))],
  ["keyset of garbage", b64url("[[[")],
  ["huge", HUGE],
];

describe("every connection refuses damaged cursors before execution", () => {
  const connections = connectionTargets();

  it("finds the connections of the schema (auditLog, sims, statusHistory, supportTickets, simTransfers, officeHoursRequests)", () => {
    expect(connections.map((c) => c.name).sort()).toEqual(
      expect.arrayContaining(["Operator.auditLog", "Operator.officeHoursRequests", "Operator.simTransfers", "Operator.sims", "Operator.supportTickets", "Sim.statusHistory"]),
    );
  });

  it.each(connections.map((c) => [c.name, c] as const))("%s: garbage, NUL, out-of-range and huge cursors are BAD_USER_INPUT (or INPUT_LIMIT_EXCEEDED), HTTP 400, never echoed", async (_name, c) => {
    const extra = c.field.args.some((a) => a.name === "direction") ? ", direction: INCOMING" : "";
    const counted = "totalCount" in (getNamedType(c.field.type) as GraphQLObjectType).getFields() ? "totalCount " : "";
    // The event log pages forward only (no `before`).
    for (const side of (["after", "before"] as const).filter((s) => c.field.args.some((a) => a.name === s))) {
      const doc = `query($c: String) { ${c.wrap(`${c.field.name}(first: 2, ${side}: $c${extra}) { ${counted}edges { cursor } }`)} }`;
      // A cursor the connection handed out is taken.
      const page = await h.raw({ body: { query: doc.replace(`, ${side}: $c`, ""), variables: {} }, headers: { authorization: `Bearer ${op.token}` } });
      expect(page.status).toBe(200);
      const handedOut = JSON.stringify(await page.json()).match(/"cursor":"([^"]+)"/)?.[1];
      if (handedOut) {
        const again = await h.raw({ body: { query: doc, variables: { c: handedOut } }, headers: { authorization: `Bearer ${op.token}` } });
        expect(again.status, `${c.name}(${side}:) refused its own cursor`).toBe(200);
      }
      for (const [label, cursor] of hostileCursors) {
        const response = await h.raw({ body: { query: doc, variables: { c: cursor } }, headers: { authorization: `Bearer ${op.token}` } });
        const text = await response.text();
        const where = `${c.name}(${side}:) with ${label}: ${response.status} ${caps(text)}`;
        expect(response.status, where).toBe(400);
        const codes = (JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] }).errors?.map((e) => e.extensions?.code);
        expect(codes, where).toEqual([label === "huge" ? "INPUT_LIMIT_EXCEEDED" : "BAD_USER_INPUT"]);
        if (cursor.length > 3) expect(text, where).not.toContain(cursor);
        for (const leak of LEAKS) expect(text, where).not.toMatch(leak);
      }
    }
  });
});

/** The simplest well-typed value of a type: required input fields only, first enum value, short strings. */
function minimalValue(type: GraphQLInputType, name: string): unknown {
  if (isNonNullType(type)) return minimalValue(type.ofType, name);
  if (isListType(type)) return [];
  if (isInputObjectType(type)) {
    return Object.fromEntries(Object.values(type.getFields()).filter((f) => isNonNullType(f.type)).map((f) => [f.name, minimalValue(f.type, f.name)]));
  }
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (type.name === "Int") return 1;
  if (type.name === "Boolean") return true;
  if (type.name === "DateTime") return new Date(Date.now() + 86_400_000).toISOString();
  if (type.name === "Date") return "2026-12-01";
  if (type.name === "ID") return globalIds[0];
  return hintedStrings(name)[0];
}

/** Every list inside a field's arguments: the argument, the path to the list, its item type and bound. */
function boundedLists(field: GraphQLField<unknown, unknown>): { arg: string; path: string[]; item: GraphQLInputType; max: number }[] {
  const out: { arg: string; path: string[]; item: GraphQLInputType; max: number }[] = [];
  const walk = (arg: string, path: string[], input: { type: GraphQLInputType; extensions: Readonly<Record<string, any>> }, depth: number) => {
    const type = isNonNullType(input.type) ? input.type.ofType : input.type;
    if (isListType(type)) {
      out.push({ arg, path, item: type.ofType, max: (input.extensions.inputBounds?.maxItems as number | undefined) ?? 100 });
    } else if (isInputObjectType(type) && depth < 3) {
      for (const f of Object.values(type.getFields())) walk(arg, [...path, f.name], f, depth + 1);
    }
  };
  for (const a of field.args) walk(a.name, [], a, 0);
  return out;
}

describe("list boundaries: the maximum of every list passes the door, one more is refused (INPUT_LIMIT_EXCEEDED)", () => {
  const cases = targets.flatMap((t) => boundedLists(t.field).map((l) => [`${t.name}(${l.arg}:)${l.path.map((p) => `.${p}`).join("")}`, t, l] as const));
  // The printed schema has no bounds in extensions: the built schema carries them.
  const built = (name: string) => {
    const [root, field] = name.split(".") as [string, string];
    return (root === "Query" ? builtSchema.getQueryType() : root === "Mutation" ? builtSchema.getMutationType() : (builtSchema.getType("Operator") as import("graphql").GraphQLObjectType))!.getFields()[field]!;
  };

  it("finds the bounded lists (nodes, bulk SIM IDs, filters, tags, slots, provisioning)", () => {
    expect(cases.length).toBeGreaterThanOrEqual(9);
  });

  it.each(cases)("%s", async (_name, target, list) => {
    const fieldName = target.name.split(".").slice(1).join(".").replace(/^viewer\./, "");
    const builtList = boundedLists(built(target.name.replace(/^Query\.viewer\./, "Operator.")) as GraphQLField<unknown, unknown>).find((l) => l.arg === list.arg && l.path.join(".") === list.path.join("."))!;
    const max = builtList.max;
    const caller: Caller = target.name.startsWith("Mutation.admin") || target.name === "Query.adminOutbox" ? "admin" : "operator";
    const token = caller === "admin" ? ADMIN_SECRET : op.token;
    const base = Object.fromEntries(target.field.args.filter((a) => isNonNullType(a.type) || a.name === list.arg || /^(first)$/.test(a.name)).map((a) => [a.name, a.name === "first" ? 1 : minimalValue(a.type, a.name)]));
    const withItems = (n: number) => {
      const values = structuredClone(base) as Record<string, any>;
      const item = minimalValue(list.item, list.path.at(-1) ?? list.arg);
      const items = Array.from({ length: n }, () => item);
      if (list.path.length === 0) values[list.arg] = items;
      else {
        let at = (values[list.arg] ??= {});
        for (const p of list.path.slice(0, -1)) at = at[p] ??= {};
        at[list.path.at(-1)!] = items;
      }
      return documentFor(target, { values, inline: false, caller });
    };
    const atMax = await h.raw({ body: withItems(max), headers: { authorization: `Bearer ${token}` } });
    const atMaxText = await atMax.text();
    expect(atMax.status, `${fieldName} at ${max}: ${caps(atMaxText)}`).toBeLessThan(500);
    expect(atMaxText, `${fieldName} at ${max}`).not.toContain("INPUT_LIMIT_EXCEEDED");
    expect(atMaxText).not.toContain("INTERNAL_SERVER_ERROR");
    state = null;
    const mid = await snapshot(h.app.db);
    const over = await h.raw({ body: withItems(max + 1), headers: { authorization: `Bearer ${token}` } });
    const overText = await over.text();
    expect(over.status, `${fieldName} at ${max + 1}: ${caps(overText)}`).toBe(400);
    expect((JSON.parse(overText) as { errors: { extensions: { code: string } }[] }).errors.map((e) => e.extensions.code)).toEqual(["INPUT_LIMIT_EXCEEDED"]);
    expect(await snapshot(h.app.db), `${fieldName} at ${max + 1} changed the database`).toBe(mid);
  });

  it("a 1 MB search and 100,000-item filter lists are refused, never a 500: past the variables limit, or, within it, past the input bound", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ search: "%_".repeat(500_000) }, "QUERY_VARIABLES_EXCEEDED"],
      [{ status: Array(100_000).fill("ACTIVE") }, "QUERY_VARIABLES_EXCEEDED"],
      [{ subscription: Array(100_000).fill("plan01s") }, "QUERY_VARIABLES_EXCEEDED"],
      [{ search: "%_".repeat(200_000) }, "INPUT_LIMIT_EXCEEDED"],
      [{ status: Array(50_000).fill("ACTIVE") }, "INPUT_LIMIT_EXCEEDED"],
      [{ subscription: Array(40_000).fill("plan01s") }, "INPUT_LIMIT_EXCEEDED"],
    ];
    for (const [filter, code] of cases) {
      const response = await h.raw({
        body: { query: `query($f: SimFilter) { viewer { sims(first: 1, filter: $f) { totalCount } } }`, variables: { f: filter } },
        headers: { authorization: `Bearer ${op.token}` },
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors.map((e) => e.extensions.code)).toEqual([code]);
    }
  });
});
