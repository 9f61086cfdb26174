// transfers: moving READY SIMs to another operator (T1–T10) and the paid application (T9).
import {
  AcceptSimTransferDocument,
  ApplyForSimTransferDocument,
  CancelSimTransferDocument,
  IssueSimTransferDocument,
  RejectSimTransferDocument,
  SimTransfersDocument,
  type ApplyForSimTransferInput,
  type IssueSimTransferInput,
  type SimTransferDecisionInput,
  type SimTransferDirection,
  type SimTransferStatus,
} from "../generated/graphql.ts";
import { connectionMethod, pageOf } from "../pagination.ts";
import { resultOf, type MutationResult } from "../result.ts";
import type { Runner } from "../runner.ts";
import type { SimTransfer, SupportTicket } from "../types.ts";

export interface TransferListArgs {
  /** OUTGOING (issued by you) or INCOMING (addressed to you). */
  direction: SimTransferDirection;
  status?: SimTransferStatus | null;
}

export function transfersApi(run: Runner, pageSize: number) {
  const list = connectionMethod<TransferListArgs, SimTransfer>(async ({ direction, status, first, after }) => {
    const { viewer } = await run.query(SimTransfersDocument, { direction, status: status ?? null, first, after });
    return pageOf(viewer!.simTransfers);
  }, pageSize);

  return {
    /** Offers 1–1,000 READY SIMs to another operator (T1–T3); the token is mailed to the destination. */
    async issue(input: IssueSimTransferInput): Promise<MutationResult<SimTransfer>> {
      const { issueSimTransfer } = await run.mutate(IssueSimTransferDocument, { input });
      return resultOf(issueSimTransfer, (p) => p.transfer);
    },

    /** By the destination, with `{ token }` or `{ transferId }`: moves every SIM (T6, T7). */
    async accept(input: SimTransferDecisionInput): Promise<MutationResult<SimTransfer>> {
      const { acceptSimTransfer } = await run.mutate(AcceptSimTransferDocument, { input });
      return resultOf(acceptSimTransfer, (p) => p.transfer);
    },

    /** By the destination: ends the batch; its SIMs return to READY (T10). */
    async reject(input: SimTransferDecisionInput): Promise<MutationResult<SimTransfer>> {
      const { rejectSimTransfer } = await run.mutate(RejectSimTransferDocument, { input });
      return resultOf(rejectSimTransfer, (p) => p.transfer);
    },

    /** By the source: cancels the whole batch (T5). */
    async cancel(transferId: string): Promise<MutationResult<SimTransfer>> {
      const { cancelSimTransfer } = await run.mutate(CancelSimTransferDocument, { input: { transferId } });
      return resultOf(cancelSimTransfer, (p) => p.transfer);
    },

    /** Applies to support for a paid transfer of SIMs that are not READY (T9); opens a ticket. */
    async apply(input: ApplyForSimTransferInput): Promise<MutationResult<SupportTicket>> {
      const { applyForSimTransfer } = await run.mutate(ApplyForSimTransferDocument, { input });
      return resultOf(applyForSimTransfer, (p) => p.ticket);
    },

    /** One page of transfers in one direction, newest first. */
    list,
    iterate: list.iterate,
    collect: list.collect,
  };
}

export type TransfersApi = ReturnType<typeof transfersApi>;
