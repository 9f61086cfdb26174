// How much of the schema a caller learns: in production no error says "Did you mean …", whichever
// stage wrote it (validation, variable coercion); GraphiQL and introspection are on by default and
// SIMGATE_INTROSPECTION=false turns both off.
import { getIntrospectionQuery } from "graphql";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { signUp } from "./support/accounts.ts";
import { startHarness, type Harness } from "./support/harness.ts";

type Sent = { status: number; body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] } };

async function send(h: Harness, query: string, variables: Record<string, unknown> = {}, auth?: string): Promise<Sent> {
  const res = await h.raw({ body: { query, variables }, headers: auth ? { authorization: `Bearer ${auth}` } : {} });
  return { status: res.status, body: (await res.json()) as Sent["body"] };
}

const signUpVars = `mutation($i: SignUpInput!) { signUp(input: $i) { userErrors { code } } }`;
const roleVar = `mutation($r: EmailRole!) { setEmailRole(input: { role: $r, emailAddressIds: [] }) { userErrors { code } } }`;

/** Misspellings graphql-js answers with a suggestion, at each stage that makes one. */
const misspellings: [string, string, Record<string, unknown>][] = [
  ["unknown field (validation)", `{ viewer { operatorld } }`, {}],
  ["unknown argument (validation)", `{ viewer { sims(frist: 1) { totalCount } } }`, {}],
  ["unknown type in a fragment (validation)", `{ viewer { ... on Operatr { id } } }`, {}],
  ["enum literal (validation)", `mutation { setEmailRole(input: { role: RECOVERYY, emailAddressIds: [] }) { userErrors { code } } }`, {}],
  ["input field literal (validation)", `mutation { signUp(input: { email: "a@b.example", emial: "x", password: "long enough pw", name: "n" }) { userErrors { code } } }`, {}],
  ["enum value in a variable (coercion)", roleVar, { r: "RECOVERYY" }],
  ["input field in a variable (coercion)", signUpVars, { i: { email: "a@b.example", emial: "x", password: "long enough pw", name: "n" } }],
];

describe("production hides every suggestion", async () => {
  const development = await startHarness();
  const production = await startHarness({ env: { NODE_ENV: "production" } });
  const op = await signUp(production);

  it.each(misspellings)("%s: development suggests, production answers the same error without the hint", async (_name, query, variables) => {
    const dev = await send(development, query, variables);
    expect(dev.body.errors?.[0]?.message).toMatch(/Did you mean/);
    const prod = await send(production, query, variables, op.token);
    expect(prod.status).toBe(dev.status);
    expect(prod.body.errors?.length).toBe(dev.body.errors?.length);
    expect(prod.body.errors?.map((e) => e.extensions?.code)).toEqual(dev.body.errors?.map((e) => e.extensions?.code));
    expect(JSON.stringify(prod.body)).not.toMatch(/Did you mean/);
    expect(prod.body.errors?.[0]?.message).toMatch(/\[Suggestion hidden\]$/);
  });

  it("nothing of the right name leaks: the enum's values are not in the answer", async () => {
    const prod = await send(production, roleVar, { r: "RECOVERYY" }, op.token);
    expect(prod.body.errors?.[0]?.message).toBe(`Variable "$r" got invalid value "RECOVERYY"; Value "RECOVERYY" does not exist in "EmailRole" enum. [Suggestion hidden]`);
  });
});

describe("introspection and GraphiQL", async () => {
  const open = await startHarness();
  const closed = await startHarness({ env: { SIMGATE_INTROSPECTION: "false" } });
  const page = (h: Harness) => h.raw({ method: "GET", headers: { accept: "text/html" } });

  it("are on by default: the explorer page and the introspection query answer", async () => {
    expect(loadConfig({}).SIMGATE_INTROSPECTION).toBe(true);
    const res = await page(open);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Simgate GraphiQL");
    const schema = await send(open, getIntrospectionQuery());
    expect(schema.body.errors).toBeUndefined();
    expect(schema.body.data.__schema.types.length).toBeGreaterThan(50);
  });

  it("SIMGATE_INTROSPECTION=false: __schema and __type are refused with 400 INTROSPECTION_DISABLED before execution", async () => {
    for (const query of [getIntrospectionQuery(), `{ __type(name: "Sim") { fields { name } } }`, `{ viewer { id } __schema { queryType { name } } }`]) {
      const res = await closed.raw({ body: { query }, headers: { accept: "application/json" } });
      expect(res.status).toBe(400);
      const body = (await res.json()) as Sent["body"];
      expect(body.data).toBeUndefined();
      expect(body.errors?.length).toBeGreaterThan(0);
      for (const error of body.errors ?? []) {
        expect(error.extensions?.code).toBe("INTROSPECTION_DISABLED");
        expect(error.message).toMatch(/introspection/i);
      }
    }
  });

  it("SIMGATE_INTROSPECTION=false: __typename and ordinary queries still answer", async () => {
    expect(await closed.ok(`{ __typename viewer { id } }`)).toEqual({ __typename: "Query", viewer: null });
  });

  it("SIMGATE_INTROSPECTION=false: the GraphiQL page is not served", async () => {
    const res = await page(closed);
    expect(res.status).not.toBe(200);
    expect(await res.text()).not.toMatch(/graphiql/i);
  });

  it("SIMGATE_INTROSPECTION takes only true or false", () => {
    expect(loadConfig({ SIMGATE_INTROSPECTION: "false" }).SIMGATE_INTROSPECTION).toBe(false);
    expect(() => loadConfig({ SIMGATE_INTROSPECTION: "off" })).toThrow(/SIMGATE_INTROSPECTION/);
  });
});
