// sims: registration, listing, status (S1–S7) and bulk termination (S6).
import {
  ActivateSimDocument,
  ClearSimExpiryDocument,
  DeactivateSimDocument,
  RegisterSimDocument,
  SetSimExpiryDocument,
  SetSimTerminationProtectionDocument,
  SetSimToStandbyDocument,
  SimByIdDocument,
  SimByImsiDocument,
  SimsDocument,
  SimStatusHistoryDocument,
  SuspendSimDocument,
  TerminateSimDocument,
  TerminateSimsDocument,
  UpdateSimDocument,
  type RegisterSimInput,
  type SetSimExpiryInput,
  type SetSimTerminationProtectionInput,
  type SimFilter,
  type SimInput,
  type SimOrder,
  type UpdateSimInput,
} from "../generated/graphql.ts";
import type { TypedDocumentNode } from "@urql/core";
import { connectionMethod, pageOf, type Page } from "../pagination.ts";
import { resultOf, type MutationResult, type UserError } from "../result.ts";
import type { Runner } from "../runner.ts";
import type { Sim, SimOperationResult, SimStatusChange } from "../types.ts";

export interface SimListArgs {
  filter?: SimFilter | null;
  orderBy?: SimOrder | null;
}

interface SimPayload {
  sim: Sim | null;
  userErrors: UserError[];
}

const emptyPage: Page<never> = { nodes: [], totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null } };

export function simsApi(run: Runner, pageSize: number) {
  // The five status mutations share one shape: SimInput in, SimPayload out.
  const statusChange =
    <Field extends string>(document: TypedDocumentNode<Record<Field, SimPayload>, { input: SimInput }>, field: Field) =>
    async (simId: string): Promise<MutationResult<Sim>> => {
      const data = await run.mutate(document, { input: { simId } });
      return resultOf(data[field], (p) => p.sim);
    };

  const list = connectionMethod<SimListArgs, Sim>(async ({ filter, orderBy, first, after }) => {
    const { viewer } = await run.query(SimsDocument, { filter: filter ?? null, orderBy: orderBy ?? null, first, after });
    return pageOf(viewer!.sims);
  }, pageSize);

  return {
    /** One page of the operator's SIMs (S1), filtered and ordered; up to 1,000 per page. */
    list,
    /** Every matching SIM, page by page: `for await (const sim of client.sims.iterate({ filter }))`. */
    iterate: list.iterate,
    /** Matching SIMs into an array, up to `limit`. */
    collect: list.collect,

    /** One of the operator's SIMs by IMSI; null when there is none (or it is another operator's, O4). */
    async get(imsi: string): Promise<Sim | null> {
      const { sim } = await run.query(SimByImsiDocument, { imsi });
      return sim;
    },

    /** One of the operator's SIMs by global ID; null when there is none. */
    async getById(id: string): Promise<Sim | null> {
      const { node } = await run.query(SimByIdDocument, { id });
      if (node?.__typename !== "Sim") return null;
      // Same shape as every other Sim the SDK returns.
      const { __typename, ...sim } = node;
      return sim;
    },

    /** Registers a provisioned SIM with its IMSI and registration secret; it starts READY, protection ON. */
    async register(input: RegisterSimInput): Promise<MutationResult<Sim>> {
      const { registerSim } = await run.mutate(RegisterSimDocument, { input });
      return resultOf(registerSim, (p) => p.sim);
    },

    /** READY, INACTIVE, STANDBY or SUSPENDED → ACTIVE (S3). */
    activate: statusChange(ActivateSimDocument, "activateSim"),
    /** READY, ACTIVE, STANDBY or SUSPENDED → INACTIVE (S3). */
    deactivate: statusChange(DeactivateSimDocument, "deactivateSim"),
    /** READY or INACTIVE → STANDBY; not on plan-D or plan-K (S3, S5). */
    standby: statusChange(SetSimToStandbyDocument, "setSimToStandby"),
    /** READY, ACTIVE, INACTIVE or STANDBY → SUSPENDED (S3). */
    suspend: statusChange(SuspendSimDocument, "suspendSim"),
    /** Terminates now, for good; refused while termination protection is ON (S6). */
    terminate: statusChange(TerminateSimDocument, "terminateSim"),

    /**
     * Terminates up to 1,000 SIMs. `ok` is false only when the whole call was refused (e.g. too many
     * SIMs); otherwise `data` has one result per SIM, in input order, each with its own userErrors.
     */
    async terminateMany(simIds: string[]): Promise<MutationResult<SimOperationResult[]>> {
      const { terminateSims } = await run.mutate(TerminateSimsDocument, { input: { simIds } });
      return resultOf(terminateSims, (p) => p.results);
    },

    /** Turns termination protection ON or OFF (S6). */
    async setProtection(input: SetSimTerminationProtectionInput): Promise<MutationResult<Sim>> {
      const { setSimTerminationProtection } = await run.mutate(SetSimTerminationProtectionDocument, { input });
      return resultOf(setSimTerminationProtection, (p) => p.sim);
    },

    /** Sets or replaces the expiry (S7); TERMINATE needs protection OFF now. */
    async setExpiry(input: SetSimExpiryInput): Promise<MutationResult<Sim>> {
      const { setSimExpiry } = await run.mutate(SetSimExpiryDocument, { input });
      return resultOf(setSimExpiry, (p) => p.sim);
    },

    /** Removes the expiry (S7). */
    async clearExpiry(simId: string): Promise<MutationResult<Sim>> {
      const { clearSimExpiry } = await run.mutate(ClearSimExpiryDocument, { input: { simId } });
      return resultOf(clearSimExpiry, (p) => p.sim);
    },

    /** Renames and/or replaces the tags; fields left out stay, an empty name removes it. */
    async update(input: UpdateSimInput): Promise<MutationResult<Sim>> {
      const { updateSim } = await run.mutate(UpdateSimDocument, { input });
      return resultOf(updateSim, (p) => p.sim);
    },

    /** A SIM's status changes, newest first; an empty page for an unknown SIM. */
    history: connectionMethod<{ simId: string }, SimStatusChange>(async ({ simId, first, after }) => {
      const { node } = await run.query(SimStatusHistoryDocument, { simId, first, after });
      return node?.__typename === "Sim" ? pageOf(node.statusHistory) : emptyPage;
    }, pageSize),
  };
}

export type SimsApi = ReturnType<typeof simsApi>;
