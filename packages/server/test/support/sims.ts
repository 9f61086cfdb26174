// SIM fixtures that go through the API: the administrator provisions, the operator registers.
import { expect } from "vitest";
import type { TestOperator } from "./accounts.ts";
import { ADMIN_SECRET, type Harness } from "./harness.ts";
import { MAX_BULK_SIMS, MAX_PROVISION_BATCH } from "@simgate/schema/domain/sim-inventory";

let serial = Math.floor(Math.random() * 1e6) * 1e4;

export interface SimSpec {
  subscription?: string;
  coverage?: "GLOBAL" | "JAPAN";
  msisdn?: string | null;
}

export interface ProvisionedSim {
  imsi: string;
  iccid: string;
  msisdn: string | null;
  registrationSecret: string;
  subscription: string;
  coverage: "GLOBAL" | "JAPAN";
}

export function newSimSpec(spec: SimSpec = {}): ProvisionedSim {
  serial += 1;
  const n = String(serial).padStart(11, "0");
  return {
    imsi: `4401${n}`,
    iccid: `89811${n}000`,
    msisdn: spec.msisdn === undefined ? `080${n.slice(-8)}` : spec.msisdn,
    registrationSecret: `reg-secret-${n}`,
    subscription: spec.subscription ?? "plan01s",
    coverage: spec.coverage ?? "GLOBAL",
  };
}

export async function provision(h: Harness, sims: ProvisionedSim[]) {
  const data = await h.ok(
    `mutation($i: AdminProvisionSimsInput!) { adminProvisionSims(input: $i) { provisionedCount userErrors { code message field } } }`,
    { i: { sims } },
    ADMIN_SECRET,
  );
  return data.adminProvisionSims as { provisionedCount: number; userErrors: { code: string; message: string; field: string[] }[] };
}

export const SIM_FIELDS = `id imsi iccid msisdn subscription coverage status name tags { name value } terminationProtected
  expiry { expiresAt action } sessionOnline returnRequired ownedSince terminatedAt createdAt allowedActions`;

export async function register(h: Harness, op: TestOperator, sim: ProvisionedSim) {
  const data = await h.ok(
    `mutation($i: RegisterSimInput!) { registerSim(input: $i) { sim { ${SIM_FIELDS} } userErrors { code message field } } }`,
    { i: { imsi: sim.imsi, registrationSecret: sim.registrationSecret } },
    op.token,
  );
  return data.registerSim;
}

/** Provisions and registers `count` SIMs for the operator; returns their global IDs in order. */
export async function ownSims(h: Harness, op: TestOperator, count: number, spec: SimSpec | ((i: number) => SimSpec) = {}): Promise<{ id: string; imsi: string }[]> {
  const specs = Array.from({ length: count }, (_, i) => newSimSpec(typeof spec === "function" ? spec(i) : spec));
  for (let i = 0; i < specs.length; i += MAX_PROVISION_BATCH) {
    const result = await provision(h, specs.slice(i, i + MAX_PROVISION_BATCH));
    expect(result.userErrors).toEqual([]);
  }
  // One registerSims call per 1,000 (S11): fixtures of a thousand SIMs cost seconds, not a minute.
  const out: { id: string; imsi: string }[] = [];
  for (let i = 0; i < specs.length; i += MAX_BULK_SIMS) {
    const data = await h.ok(
      `mutation($sims: [RegisterSimInput!]!) { registerSims(input: { sims: $sims }) { results { sim { id imsi } userErrors { code field } } userErrors { code field } } }`,
      { sims: specs.slice(i, i + MAX_BULK_SIMS).map((s) => ({ imsi: s.imsi, registrationSecret: s.registrationSecret })) },
      op.token,
    );
    expect(data.registerSims.userErrors).toEqual([]);
    for (const r of data.registerSims.results) {
      expect(r.userErrors).toEqual([]);
      out.push({ id: r.sim.id, imsi: r.sim.imsi });
    }
  }
  return out;
}

export async function simAction(h: Harness, op: TestOperator, mutation: string, simId: string) {
  const data = await h.ok(`mutation($id: ID!) { ${mutation}(input: { simId: $id }) { sim { status allowedActions } userErrors { code field } } }`, { id: simId }, op.token);
  return data[mutation] as { sim: { status: string; allowedActions: string[] } | null; userErrors: { code: string; field: string[] }[] };
}

export async function reportSession(h: Harness, imsi: string, online: boolean) {
  const data = await h.ok(
    `mutation($i: AdminReportSessionInput!) { adminReportSession(input: $i) { sim { status sessionOnline } userErrors { code } } }`,
    { i: { imsi, online } },
    ADMIN_SECRET,
  );
  return data.adminReportSession as { sim: { status: string; sessionOnline: boolean } | null; userErrors: { code: string }[] };
}

export async function setProtection(h: Harness, op: TestOperator, simId: string, enabled: boolean) {
  const data = await h.ok(
    `mutation($i: SetSimTerminationProtectionInput!) { setSimTerminationProtection(input: $i) { sim { terminationProtected } userErrors { code } } }`,
    { i: { simId, enabled } },
    op.token,
  );
  expect(data.setSimTerminationProtection.userErrors).toEqual([]);
}

export async function history(h: Harness, op: TestOperator, simId: string) {
  const data = await h.ok(
    `query($id: ID!) { node(id: $id) { ... on Sim { statusHistory(first: 50) { totalCount edges { node { from to cause reactivation } } } } } }`,
    { id: simId },
    op.token,
  );
  return data.node.statusHistory as { totalCount: number; edges: { node: { from: string | null; to: string; cause: string; reactivation: boolean } }[] };
}
