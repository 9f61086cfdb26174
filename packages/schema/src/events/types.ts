// V1: what an event says. Plain values shared by the append and read sides and by the GraphQL
// layer (which exposes EventType as an enum); nothing here touches the database.
import type { SimStatus } from "../domain/sim-status.ts";

/** Stored event types (WEBHOOK_TEST is sent by sendTestWebhook only and never stored). */
export const EVENT_TYPES = [
  "SIM_REGISTERED",
  "SIM_STATUS_CHANGED",
  "SIM_UPDATED",
  "SIM_SESSION_CHANGED",
  "SIM_EXPIRED",
  "SIM_TRANSFER_CHANGED",
  "SUPPORT_TICKET_CHANGED",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** V1: who caused an event that no principal of the operator caused (scheduler, platform, staff). */
export const SYSTEM_ACTOR = "system";

export type StatusChangeCause = "OPERATOR" | "NETWORK_SESSION" | "EXPIRY" | "TRANSFER" | "ADMIN";

/** The `data` column (JSON): each type fills its own fields. */
export interface EventData {
  /** SIM_STATUS_CHANGED */
  statusChange?: { from: SimStatus | null; to: SimStatus; cause: StatusChangeCause; reactivation: boolean };
  /** SIM_STATUS_CHANGED: the SimStatusChange row (the SIM's history entry) it announces. */
  statusChangeId?: string;
  /** SIM_UPDATED: e.g. ["name", "tags"]. */
  changedFields?: string[];
  /** SIM_SESSION_CHANGED */
  sessionOnline?: boolean;
  /** SIM_EXPIRED: the action applied (DO_NOTHING, DELETE_SESSION, DEACTIVATE, SUSPEND, TERMINATE). */
  expiryAction?: string;
  /** SIM_TRANSFER_CHANGED: the transfer's status after the change (PENDING when issued). */
  transferStatus?: "PENDING" | "ACCEPTED" | "REJECTED" | "CANCELED" | "EXPIRED";
  /** SIM_TRANSFER_CHANGED: which side of the transfer this log's operator is. */
  transferSide?: "SOURCE" | "DESTINATION";
  /** SUPPORT_TICKET_CHANGED */
  ticketChange?: "STAFF_REPLIED" | "CLOSED";
}

/** One event to append; its operator's next sequence is given when the transaction's events are written. */
export interface NewEvent {
  /** Whose log: the operator owning the subject now (V3). */
  operatorId: string;
  type: EventType;
  at: Date;
  /** The root user's address, user:<name>, authKey:<id>, or SYSTEM_ACTOR. */
  actor: string;
  simId?: string | null;
  imsi?: string | null;
  simTransferId?: string | null;
  supportTicketId?: string | null;
  data?: EventData;
}

/** A stored event as the read side hands it out. */
export interface StoredEvent {
  id: string;
  operatorId: string;
  sequence: bigint;
  type: string;
  at: Date;
  actor: string;
  simId: string | null;
  imsi: string | null;
  simTransferId: string | null;
  supportTicketId: string | null;
  data: string;
}

/** What a committed transaction appended to one operator's log (the push side's wake-up call). */
export interface EventCommit {
  operatorId: string;
  firstSequence: bigint;
  lastSequence: bigint;
  /** Webhook deliveries queued with these events (V5); the worker is woken only when there are some. */
  deliveries?: number;
}
