// Fixtures that go through the SDK, as an integrator would: sign up, read mail, provision SIMs.
import { expect } from "vitest";
import type { MutationResult, NotificationKind, ProvisionSimInput, Sim, SimgateClient } from "../../src/index.ts";
import type { TestServer } from "./server.ts";
// The server takes at most this many SIMs per provisioning call (TOO_MANY_ITEMS above).
const MAX_PROVISION_BATCH = 1_000;

/** The data of an ok result; fails the test with the refusals otherwise. */
export function ok<T>(result: MutationResult<T>): T {
  if (!result.ok) expect.fail(`refused: ${JSON.stringify(result.userErrors)}`);
  return result.data;
}

let counter = 0;
export function uniqueEmail(label = "ops"): string {
  counter += 1;
  return `${label}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

export interface TestOperator {
  client: SimgateClient;
  token: string;
  operatorId: string;
  id: string;
  email: string;
  password: string;
}

export async function signUp(server: TestServer, email = uniqueEmail()): Promise<TestOperator> {
  const password = "correct horse battery";
  const session = ok(await server.client().auth.signUp({ email, password, name: "SDK Test Operator" }));
  return {
    client: server.client({ token: session.token }),
    token: session.token,
    operatorId: session.operator.operatorId,
    id: session.operator.id,
    email,
    password,
  };
}

/** The newest mail of `kind` to `to`, read as the administrator. */
export async function lastMail(server: TestServer, to: string, kind: NotificationKind) {
  const [mail] = await server.adminClient.admin.outbox({ to, kind, first: 1 });
  expect(mail, `no ${kind} mail to ${to}`).toBeDefined();
  return mail!;
}

let serial = Math.floor(Math.random() * 1e6) * 1e4;
export function newSimSpecs(count: number, spec: Partial<ProvisionSimInput> = {}): ProvisionSimInput[] {
  return Array.from({ length: count }, () => {
    serial += 1;
    const n = String(serial).padStart(11, "0");
    return {
      imsi: `4401${n}`,
      iccid: `89811${n}000`,
      msisdn: `080${n.slice(-8)}`,
      registrationSecret: `reg-secret-${n}`,
      subscription: "plan01s",
      coverage: "GLOBAL",
      ...spec,
    };
  });
}

/** Provisions `count` SIMs as the administrator and registers them to the operator; in order. */
export async function ownSims(server: TestServer, op: TestOperator, count: number, spec: Partial<ProvisionSimInput> = {}): Promise<Sim[]> {
  const specs = newSimSpecs(count, spec);
  for (let i = 0; i < specs.length; i += MAX_PROVISION_BATCH) {
    expect(ok(await server.adminClient.admin.provisionSims(specs.slice(i, i + MAX_PROVISION_BATCH))).refused).toEqual([]);
  }
  const results = ok(await op.client.sims.registerMany(specs.map((s) => ({ imsi: s.imsi, registrationSecret: s.registrationSecret }))));
  return results.map((result) => {
    expect(result.userErrors, result.simId).toEqual([]);
    return result.sim!;
  });
}
