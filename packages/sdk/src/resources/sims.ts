// sims: registration, listing, status (S1–S7), bulk termination (S6) and the bulk calls (S11),
// which take any number of SIMs and send them 1,000 per request (bulk.ts).
import {
  ActivateSimDocument,
  AddSimTagsDocument,
  ApplySimActionDocument,
  RegisterSimsDocument,
  RemoveSimTagsDocument,
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
  type SimAction,
  type SimOrder,
  type SimTagInput,
  type UpdateSimInput,
} from "../generated/graphql.ts";
import type { TypedDocumentNode } from "@urql/core";
import { inChunks, type BulkResult } from "../bulk.ts";
import type { CallOptions } from "../call-options.ts";
import { connectionMethod, pageOf, type Page } from "../pagination.ts";
import { resultOf, type MutationResult, type UserError } from "../result.ts";
import type { Runner } from "../runner.ts";
import type { Sim, SimStatusChange } from "../types.ts";

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
    (simId: string, options?: CallOptions): Promise<MutationResult<Sim>> =>
      run.mutate(document, { input: { simId } }, options, (data) => resultOf(data[field], (p) => p.sim));

  const list = connectionMethod<SimListArgs, Sim>(
    ({ filter, orderBy, first, after }, options) =>
      run.query(SimsDocument, { filter: filter ?? null, orderBy: orderBy ?? null, first, after }, options, ({ viewer }) => pageOf(viewer!.sims)),
    pageSize,
  );

  return {
    /** One page of the operator's SIMs (S1), filtered and ordered; up to the server's page size limit (100 by default). */
    list,
    /** Every matching SIM, page by page: `for await (const sim of client.sims.iterate({ filter }))`. */
    iterate: list.iterate,
    /** Matching SIMs into an array, up to `limit`. */
    collect: list.collect,

    /** One of the operator's SIMs by IMSI; null when there is none (or it is another operator's, O4). */
    get(imsi: string, options?: CallOptions): Promise<Sim | null> {
      return run.query(SimByImsiDocument, { imsi }, options, ({ sim }) => sim);
    },

    /** One of the operator's SIMs by global ID; null when there is none. */
    getById(id: string, options?: CallOptions): Promise<Sim | null> {
      return run.query(SimByIdDocument, { id }, options, ({ node }) => {
        if (node?.__typename !== "Sim") return null;
        // Same shape as every other Sim the SDK returns.
        const { __typename, ...sim } = node;
        return sim;
      });
    },

    /** Registers a provisioned SIM with its IMSI and registration secret; it starts READY, protection ON. */
    register(input: RegisterSimInput, options?: CallOptions): Promise<MutationResult<Sim>> {
      return run.mutate(RegisterSimDocument, { input }, options, ({ registerSim }) => resultOf(registerSim, (p) => p.sim));
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
     * Terminates any number of SIMs (S6), 1,000 per request, one request after the other. `data`:
     * one result per SIM, in input order, each with its own userErrors (TERMINATION_PROTECTED, …).
     * `ok` is false only when a request was refused as a whole; see BulkResult.
     */
    terminateMany(simIds: readonly string[], options?: CallOptions): Promise<BulkResult> {
      return inChunks(simIds, "simIds", options, (chunk, o) => run.mutate(TerminateSimsDocument, { input: { simIds: chunk } }, o, ({ terminateSims }) => terminateSims));
    },

    /**
     * Registers any number of provisioned SIMs (S11), 1,000 per request; one result per SIM in input
     * order, judged as `register` judges one (`simId` names the IMSI; `sim` is the registered SIM).
     */
    registerMany(sims: readonly RegisterSimInput[], options?: CallOptions): Promise<BulkResult> {
      return inChunks(sims, "sims", options, (chunk, o) => run.mutate(RegisterSimsDocument, { input: { sims: chunk } }, o, ({ registerSims }) => registerSims));
    },

    /**
     * The same status action (ACTIVATE, DEACTIVATE, SET_TO_STANDBY, SUSPEND, TERMINATE) on any number of
     * SIMs (S11), 1,000 per request; each SIM judged as the single mutation judges it.
     */
    applyAction(action: SimAction, simIds: readonly string[], options?: CallOptions): Promise<BulkResult> {
      return inChunks(simIds, "simIds", options, (chunk, o) => run.mutate(ApplySimActionDocument, { input: { action, simIds: chunk } }, o, ({ applySimAction }) => applySimAction));
    },

    /** Adds the tags to any number of SIMs, replacing a tag of the same name and leaving the others (S11). */
    addTags(simIds: readonly string[], tags: SimTagInput[], options?: CallOptions): Promise<BulkResult> {
      return inChunks(simIds, "simIds", options, (chunk, o) => run.mutate(AddSimTagsDocument, { input: { simIds: chunk, tags } }, o, ({ addSimTags }) => addSimTags));
    },

    /** Removes the named tags from any number of SIMs; a SIM without one is no error (S11). */
    removeTags(simIds: readonly string[], names: string[], options?: CallOptions): Promise<BulkResult> {
      return inChunks(simIds, "simIds", options, (chunk, o) => run.mutate(RemoveSimTagsDocument, { input: { simIds: chunk, names } }, o, ({ removeSimTags }) => removeSimTags));
    },

    /** Turns termination protection ON or OFF (S6). */
    setProtection(input: SetSimTerminationProtectionInput, options?: CallOptions): Promise<MutationResult<Sim>> {
      return run.mutate(SetSimTerminationProtectionDocument, { input }, options, ({ setSimTerminationProtection }) => resultOf(setSimTerminationProtection, (p) => p.sim));
    },

    /** Sets or replaces the expiry (S7); TERMINATE needs protection OFF now. */
    setExpiry(input: SetSimExpiryInput, options?: CallOptions): Promise<MutationResult<Sim>> {
      return run.mutate(SetSimExpiryDocument, { input }, options, ({ setSimExpiry }) => resultOf(setSimExpiry, (p) => p.sim));
    },

    /** Removes the expiry (S7). */
    clearExpiry(simId: string, options?: CallOptions): Promise<MutationResult<Sim>> {
      return run.mutate(ClearSimExpiryDocument, { input: { simId } }, options, ({ clearSimExpiry }) => resultOf(clearSimExpiry, (p) => p.sim));
    },

    /** Renames and/or replaces the tags; fields left out stay, an empty name removes it. */
    update(input: UpdateSimInput, options?: CallOptions): Promise<MutationResult<Sim>> {
      return run.mutate(UpdateSimDocument, { input }, options, ({ updateSim }) => resultOf(updateSim, (p) => p.sim));
    },

    /** A SIM's status changes, newest first; an empty page for an unknown SIM. */
    history: connectionMethod<{ simId: string }, SimStatusChange>(
      ({ simId, first, after }, options) =>
        run.query(SimStatusHistoryDocument, { simId, first, after }, options, ({ node }) => (node?.__typename === "Sim" ? pageOf(node.statusHistory) : emptyPage)),
      pageSize,
    ),
  };
}

export type SimsApi = ReturnType<typeof simsApi>;
