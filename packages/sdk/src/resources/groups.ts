// groups: named sets of SIMs (G1–G3). A SIM is in at most one group; listing filters by group
// with `sims.list({ filter: { groupId } })`.
import {
  CreateSimGroupDocument,
  DeleteSimGroupDocument,
  SetSimGroupDocument,
  SimGroupByIdDocument,
  SimGroupsDocument,
  UpdateSimGroupDocument,
  type CreateSimGroupInput,
  type UpdateSimGroupInput,
} from "../generated/graphql.ts";
import { inChunks, type BulkResult } from "../bulk.ts";
import type { CallOptions } from "../call-options.ts";
import { connectionMethod, pageOf } from "../pagination.ts";
import { resultOf, type MutationResult } from "../result.ts";
import type { Runner } from "../runner.ts";
import type { SimGroup } from "../types.ts";

export interface SetSimGroupArgs {
  /** The group; null takes the SIMs out of any group. */
  groupId: string | null;
  /** Any number of SIMs (sent 1,000 per request). */
  simIds: readonly string[];
}

export function groupsApi(run: Runner, pageSize: number) {
  const list = connectionMethod<{}, SimGroup>(
    ({ first, after }, options) => run.query(SimGroupsDocument, { first, after }, options, ({ viewer }) => pageOf(viewer!.simGroups)),
    pageSize,
  );

  return {
    /** One page of the operator's groups, oldest first. */
    list,
    /** Every group, page by page. */
    iterate: list.iterate,
    /** Groups into an array, up to `limit`. */
    collect: list.collect,

    /** One group by ID; null when there is none (or it is another operator's). */
    get(groupId: string, options?: CallOptions): Promise<SimGroup | null> {
      return run.query(SimGroupByIdDocument, { id: groupId }, options, ({ node }) => {
        if (node?.__typename !== "SimGroup") return null;
        const { __typename, ...group } = node;
        return group;
      });
    },

    /** Creates an empty group (G1): a name unique in the operator; at most 1,000 groups. */
    create(input: CreateSimGroupInput, options?: CallOptions): Promise<MutationResult<SimGroup>> {
      return run.mutate(CreateSimGroupDocument, { input }, options, ({ createSimGroup }) => resultOf(createSimGroup, (p) => p.group));
    },

    /** Renames a group and/or changes its description ("" removes it). */
    update(input: UpdateSimGroupInput, options?: CallOptions): Promise<MutationResult<SimGroup>> {
      return run.mutate(UpdateSimGroupDocument, { input }, options, ({ updateSimGroup }) => resultOf(updateSimGroup, (p) => p.group));
    },

    /** Deletes a group that holds no SIMs (G2: GROUP_NOT_EMPTY otherwise). Answers the deleted ID. */
    delete(groupId: string, options?: CallOptions): Promise<MutationResult<string>> {
      return run.mutate(DeleteSimGroupDocument, { input: { groupId } }, options, ({ deleteSimGroup }) => resultOf(deleteSimGroup, (p) => p.deletedGroupId));
    },

    /**
     * Puts any number of SIMs in a group, or out of any group with `groupId: null`; 1,000 per
     * request, one after the other. One result per SIM, in input order (a transferring SIM answers
     * SIM_TRANSFERRING, a terminated one can leave but not join: SIM_TERMINATED).
     */
    setSimGroup({ groupId, simIds }: SetSimGroupArgs, options?: CallOptions): Promise<BulkResult> {
      return inChunks(simIds, "simIds", options, (chunk, callOptions) =>
        run.mutate(SetSimGroupDocument, { input: { groupId, simIds: chunk } }, callOptions, ({ setSimGroup }) => setSimGroup),
      );
    },
  };
}

export type GroupsApi = ReturnType<typeof groupsApi>;
