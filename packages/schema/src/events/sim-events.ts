// V1: the events each kind of change appends. Every path that changes a SIM, a transfer or a
// ticket calls one of these inside its eventTransaction (events/append.ts).
import type { Tx } from "../db/database.ts";
import type { SimStatus } from "../domain/sim-status.ts";
import { appendEvents } from "./append.ts";
import type { EventData, StatusChangeCause } from "./types.ts";

/** A SIM as its events name it: the log is its owner's (V3), the IMSI stays readable there for good. */
export interface EventSim {
  id: string;
  operatorId: string;
  imsi: string;
}

/** SIM_STATUS_CHANGED, one per SIM and change (sims/status-change.ts calls it for every cause). */
export function appendStatusChanged(
  tx: Tx,
  changes: readonly (EventSim & { from: SimStatus | null; to: SimStatus; reactivation: boolean; statusChangeId: string })[],
  cause: StatusChangeCause,
  at: Date,
  actor: string,
): void {
  appendEvents(
    tx,
    changes.map((c) => ({
      operatorId: c.operatorId,
      type: "SIM_STATUS_CHANGED" as const,
      at,
      actor,
      simId: c.id,
      imsi: c.imsi,
      data: { statusChange: { from: c.from, to: c.to, cause, reactivation: c.reactivation }, statusChangeId: c.statusChangeId },
    })),
  );
}

/**
 * SIM_UPDATED with the names of the fields that changed ("name", "tags", "group",
 * "terminationProtection", "expiry"); one event per SIM. Bulk tag and group calls use it too.
 */
export function appendSimUpdated(tx: Tx, sims: readonly EventSim[], changedFields: readonly string[], at: Date, actor: string): void {
  if (changedFields.length === 0) return;
  const data: EventData = { changedFields: [...changedFields] };
  appendEvents(tx, sims.map((s) => ({ operatorId: s.operatorId, type: "SIM_UPDATED" as const, at, actor, simId: s.id, imsi: s.imsi, data })));
}

/** SIM_REGISTERED, in the registering operator's log. */
export function appendSimRegistered(tx: Tx, sims: readonly EventSim[], at: Date, actor: string): void {
  appendEvents(tx, sims.map((s) => ({ operatorId: s.operatorId, type: "SIM_REGISTERED" as const, at, actor, simId: s.id, imsi: s.imsi })));
}

/** SIM_SESSION_CHANGED: a session opened or closed (S4). */
export function appendSessionChanged(tx: Tx, sim: EventSim, online: boolean, at: Date, actor: string): void {
  appendEvents(tx, [{ operatorId: sim.operatorId, type: "SIM_SESSION_CHANGED", at, actor, simId: sim.id, imsi: sim.imsi, data: { sessionOnline: online } }]);
}

/** SIM_EXPIRED: an expiry fell due and its action was applied, whatever the action (S7). */
export function appendSimExpired(tx: Tx, sim: EventSim, action: string, at: Date, actor: string): void {
  appendEvents(tx, [{ operatorId: sim.operatorId, type: "SIM_EXPIRED", at, actor, simId: sim.id, imsi: sim.imsi, data: { expiryAction: action } }]);
}

/** SIM_TRANSFER_CHANGED, once in the source's log and once in the destination's (V1, V3). */
export function appendTransferChanged(
  tx: Tx,
  transfer: { id: string; sourceOperatorId: string; destinationOperatorId: string },
  status: NonNullable<EventData["transferStatus"]>,
  at: Date,
  actor: string,
): void {
  appendEvents(tx, [
    { operatorId: transfer.sourceOperatorId, type: "SIM_TRANSFER_CHANGED", at, actor, simTransferId: transfer.id, data: { transferStatus: status, transferSide: "SOURCE" } },
    { operatorId: transfer.destinationOperatorId, type: "SIM_TRANSFER_CHANGED", at, actor, simTransferId: transfer.id, data: { transferStatus: status, transferSide: "DESTINATION" } },
  ]);
}

/** SUPPORT_TICKET_CHANGED: staff replied, or the ticket was closed. */
export function appendTicketChanged(tx: Tx, ticket: { id: string; operatorId: string }, change: NonNullable<EventData["ticketChange"]>, at: Date, actor: string): void {
  appendEvents(tx, [{ operatorId: ticket.operatorId, type: "SUPPORT_TICKET_CHANGED", at, actor, supportTicketId: ticket.id, data: { ticketChange: change } }]);
}
