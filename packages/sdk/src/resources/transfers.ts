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
import type { CallOptions } from "../call-options.ts";
import type { SimTransfer, SupportTicket } from "../types.ts";

export interface TransferListArgs {
  /** OUTGOING (issued by you) or INCOMING (addressed to you). */
  direction: SimTransferDirection;
  status?: SimTransferStatus | null;
}

export function transfersApi(run: Runner, pageSize: number) {
  const list = connectionMethod<TransferListArgs, SimTransfer>(
    ({ direction, status, first, after }, options) => run.query(SimTransfersDocument, { direction, status: status ?? null, first, after }, options, ({ viewer }) => pageOf(viewer!.simTransfers)),
    pageSize,
  );

  return {
    /** Offers 1–1,000 READY SIMs to another operator (T1–T3); the token is mailed to the destination. */
    issue(input: IssueSimTransferInput, options?: CallOptions): Promise<MutationResult<SimTransfer>> {
      return run.mutate(IssueSimTransferDocument, { input }, options, ({ issueSimTransfer }) => resultOf(issueSimTransfer, (p) => p.transfer));
    },

    /** By the destination, with `{ token }` or `{ transferId }`: moves every SIM (T6, T7). */
    accept(input: SimTransferDecisionInput, options?: CallOptions): Promise<MutationResult<SimTransfer>> {
      return run.mutate(AcceptSimTransferDocument, { input }, options, ({ acceptSimTransfer }) => resultOf(acceptSimTransfer, (p) => p.transfer));
    },

    /** By the destination: ends the batch; its SIMs return to READY (T10). */
    reject(input: SimTransferDecisionInput, options?: CallOptions): Promise<MutationResult<SimTransfer>> {
      return run.mutate(RejectSimTransferDocument, { input }, options, ({ rejectSimTransfer }) => resultOf(rejectSimTransfer, (p) => p.transfer));
    },

    /** By the source: cancels the whole batch (T5). */
    cancel(transferId: string, options?: CallOptions): Promise<MutationResult<SimTransfer>> {
      return run.mutate(CancelSimTransferDocument, { input: { transferId } }, options, ({ cancelSimTransfer }) => resultOf(cancelSimTransfer, (p) => p.transfer));
    },

    /** Applies to support for a paid transfer of SIMs that are not READY (T9); opens a ticket. */
    apply(input: ApplyForSimTransferInput, options?: CallOptions): Promise<MutationResult<SupportTicket>> {
      return run.mutate(ApplyForSimTransferDocument, { input }, options, ({ applyForSimTransfer }) => resultOf(applyForSimTransfer, (p) => p.ticket));
    },

    /** One page of transfers in one direction, newest first. */
    list,
    iterate: list.iterate,
    collect: list.collect,
  };
}

export type TransfersApi = ReturnType<typeof transfersApi>;
