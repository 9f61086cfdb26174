import { describe, expect, it } from "vitest";
import { normalizeEmail } from "../src/domain/email-address.ts";
import { judgeAction } from "../src/domain/sim-status.ts";
import {
  acceptedSimState,
  applicationTicket,
  isTokenWellFormed,
  isTransferDue,
  isTransferOpen,
  judgeApplicationNote,
  judgeApplicationSims,
  judgeBatchHeld,
  judgeCancel,
  judgeDecisionInput,
  judgeDestination,
  judgeIncomingTransfer,
  judgeIssuedSims,
  judgePaymentMethod,
  judgeSimCount,
  judgeTokenTransfer,
  transferDateOf,
  transferExpiresAt,
  type TransferState,
} from "../src/domain/sim-transfer.ts";

const SOURCE = "source-row";
const DEST = "dest-row";
const now = new Date("2026-03-10T03:00:00Z");
const pending = (over: Partial<TransferState> = {}): TransferState => ({
  sourceOperatorId: SOURCE,
  destinationOperatorId: DEST,
  status: "PENDING",
  expiresAt: new Date(now.getTime() + 3_600_000),
  ...over,
});

describe("SIM transfer rules", () => {
  it("T1: only READY SIMs are issued; every other status refuses its position with SIM_NOT_READY", () => {
    const errors = judgeIssuedSims([{ status: "READY" }, { status: "ACTIVE" }, undefined, { status: "TRANSFERRING" }, { status: "READY" }]);
    expect(errors.map((e) => [e.code, e.field])).toEqual([
      ["SIM_NOT_READY", ["input", "simIds", "1"]],
      ["SIM_NOT_READY", ["input", "simIds", "3"]],
    ]);
    expect(judgeIssuedSims([{ status: "READY" }])).toEqual([]);
  });

  it("T2: the destination must match by operator ID and primary address, with one answer for any mismatch", () => {
    const dest = { id: DEST, primaryNormalized: normalizeEmail("Dest@Example.com") };
    const given = { operatorId: "OP0000000002", email: "dest@example.com" };
    expect(judgeDestination(given, dest, SOURCE)).toBeNull();
    expect(judgeDestination({ ...given, email: "  DEST@example.com " }, dest, SOURCE)).toBeNull();
    const invalid = [
      judgeDestination({ ...given, operatorId: "not-an-id" }, dest, SOURCE),
      judgeDestination(given, null, SOURCE),
      judgeDestination({ ...given, email: "other@example.com" }, dest, SOURCE),
      judgeDestination({ ...given, email: "not an address" }, dest, SOURCE),
      judgeDestination(given, { id: DEST, primaryNormalized: null }, SOURCE),
    ];
    for (const error of invalid) expect(error).toEqual({ code: "TRANSFER_DESTINATION_INVALID", message: expect.any(String), field: ["input"] });
    expect(new Set(invalid.map((e) => e!.message)).size).toBe(1);
  });

  it("T2: a destination that is the source itself answers TRANSFER_TO_SELF, whatever address was given", () => {
    const self = { id: SOURCE, primaryNormalized: "me@example.com" };
    expect(judgeDestination({ operatorId: "OP0000000001", email: "someone-else@example.com" }, self, SOURCE)).toMatchObject({
      code: "TRANSFER_TO_SELF",
      field: ["input", "destinationOperatorId"],
    });
  });

  it("T2: a transfer names at least one SIM", () => {
    expect(judgeSimCount(0)?.code).toBe("INVALID_INPUT");
    expect(judgeSimCount(1)).toBeNull();
  });

  it("T3: a decision names the transfer by exactly one of token and transfer ID", () => {
    expect(judgeDecisionInput({})?.code).toBe("INVALID_INPUT");
    expect(judgeDecisionInput({ token: "sgx_a", transferId: "x" })?.code).toBe("INVALID_INPUT");
    expect(judgeDecisionInput({ token: "sgx_a", transferId: null })).toBeNull();
    expect(judgeDecisionInput({ transferId: "x" })).toBeNull();
  });

  it("T3: only the destination accepts or rejects by transfer ID; to anyone else it does not exist", () => {
    expect(judgeIncomingTransfer(pending(), DEST, now)).toBeNull();
    expect(judgeIncomingTransfer(pending(), SOURCE, now)?.code).toBe("NOT_FOUND");
    expect(judgeIncomingTransfer(null, DEST, now)?.code).toBe("NOT_FOUND");
    expect(judgeIncomingTransfer(pending({ status: "CANCELED" }), DEST, now)).toMatchObject({ code: "TRANSFER_NOT_PENDING", message: "The transfer is CANCELED." });
  });

  it("T3: a token works only for its destination and only while the transfer is pending; every failure reads the same", () => {
    expect(judgeTokenTransfer(pending(), DEST, now)).toBeNull();
    const failures = [
      judgeTokenTransfer(null, DEST, now),
      judgeTokenTransfer(pending(), SOURCE, now),
      judgeTokenTransfer(pending({ status: "ACCEPTED" }), DEST, now),
      judgeTokenTransfer(pending({ expiresAt: now }), DEST, now),
    ];
    expect(failures.map((e) => e?.code)).toEqual(Array(4).fill("TRANSFER_TOKEN_INVALID"));
    expect(isTokenWellFormed("sgx_abc")).toBe(true);
    expect(isTokenWellFormed("evt_abc")).toBe(false);
    expect(isTokenWellFormed(`sgx_${"a".repeat(300)}`)).toBe(false);
  });

  it("T4: while TRANSFERRING, status changes by the operator are refused with SIM_TRANSFERRING", () => {
    const sim = { status: "TRANSFERRING" as const, subscription: "plan01s", terminationProtected: false };
    for (const action of ["ACTIVATE", "DEACTIVATE", "SET_TO_STANDBY", "SUSPEND", "TERMINATE"] as const) {
      expect(judgeAction(sim, action)).toMatchObject({ ok: false, error: { code: "SIM_TRANSFERRING" } });
    }
  });

  it("T4: acceptance fails with TRANSFER_SIM_STATUS_CHANGED when a SIM of the batch left TRANSFERRING or the transfer", () => {
    const transfer = { id: "t1", sourceOperatorId: SOURCE };
    const held = { status: "TRANSFERRING" as const, pendingTransferId: "t1", operatorId: SOURCE };
    expect(judgeBatchHeld([held, held], transfer, 2)).toBeNull();
    expect(judgeBatchHeld([held, { ...held, status: "ACTIVE" }], transfer, 2)?.code).toBe("TRANSFER_SIM_STATUS_CHANGED");
    expect(judgeBatchHeld([held, { ...held, pendingTransferId: null }], transfer, 2)?.code).toBe("TRANSFER_SIM_STATUS_CHANGED");
    expect(judgeBatchHeld([held, { ...held, operatorId: "someone" }], transfer, 2)?.code).toBe("TRANSFER_SIM_STATUS_CHANGED");
    expect(judgeBatchHeld([held], transfer, 2)?.code).toBe("TRANSFER_SIM_STATUS_CHANGED");
  });

  it("T5: only the source cancels, and only a pending transfer", () => {
    expect(judgeCancel(pending(), SOURCE)).toBeNull();
    expect(judgeCancel(pending(), DEST)?.code).toBe("NOT_FOUND");
    expect(judgeCancel(null, SOURCE)?.code).toBe("NOT_FOUND");
    expect(judgeCancel(pending({ status: "ACCEPTED" }), SOURCE)).toMatchObject({ code: "TRANSFER_NOT_PENDING", message: "The transfer is ACCEPTED." });
  });

  it("T6: the destination needs a payment method to accept", () => {
    expect(judgePaymentMethod(null)?.code).toBe("PAYMENT_METHOD_REQUIRED");
    expect(judgePaymentMethod("CREDIT_CARD")).toBeNull();
  });

  it("T7, G3: an accepted SIM is READY with its settings reset, protection back ON, and in no group", () => {
    expect(acceptedSimState(now)).toEqual({
      status: "READY",
      pendingTransferId: null,
      groupId: null,
      name: "",
      nameKey: "",
      terminationProtected: true,
      expiresAt: null,
      expiryAction: null,
      expiryAppliedAt: null,
      sessionOnline: false,
      registeredAt: now,
      ownedSince: "2026-03-10",
    });
  });

  it("T8: the transfer date is the Asia/Tokyo date of acceptance, not the UTC one", () => {
    // 2026-03-31T15:30Z is already April 1st in Tokyo (UTC+9).
    expect(transferDateOf(new Date("2026-03-31T15:30:00Z"))).toBe("2026-04-01");
    expect(transferDateOf(new Date("2026-03-31T14:59:59Z"))).toBe("2026-03-31");
    expect(acceptedSimState(new Date("2026-12-31T15:00:00Z")).ownedSince).toBe("2027-01-01");
  });

  it("T9: the application takes SIMs that are not READY; terminated, transferring and READY SIMs are refused by position", () => {
    const errors = judgeApplicationSims([{ status: "ACTIVE" }, { status: "TERMINATED" }, { status: "TRANSFERRING" }, { status: "READY" }, undefined, { status: "SUSPENDED" }]);
    expect(errors.map((e) => [e.code, e.field?.[2]])).toEqual([
      ["SIM_TERMINATED", "1"],
      ["SIM_TRANSFERRING", "2"],
      ["INVALID_INPUT", "3"],
    ]);
    expect(judgeApplicationNote("x".repeat(2000))).toBeNull();
    expect(judgeApplicationNote("x".repeat(2001))?.field).toEqual(["input", "note"]);
  });

  it("T9: the support ticket lists the SIMs, the destination, the fee and the note", () => {
    const ticket = applicationTicket([{ imsi: "440100000000001", status: "ACTIVE" }], { operatorId: "OP0000000002", email: " dest@example.com " }, "soon please");
    expect(ticket.subject).toBe("SIM transfer application: 1 SIM to OP0000000002");
    expect(ticket.body).toContain("operator OP0000000002 (dest@example.com)");
    expect(ticket.body).toContain("  440100000000001 (ACTIVE)");
    expect(ticket.body).toContain("fee");
    expect(ticket.body.endsWith("Note from the applicant:\nsoon please")).toBe(true);
    expect(applicationTicket([{ imsi: "1", status: "ACTIVE" }, { imsi: "2", status: "STANDBY" }], { operatorId: "OP0000000002", email: "d@e.f" }, null).subject).toContain("2 SIMs");
  });

  it("T10: a transfer lapses after the configured hours from the injected now, exactly at its expiry instant", () => {
    const expiresAt = transferExpiresAt(now, 168);
    expect(expiresAt.toISOString()).toBe("2026-03-17T03:00:00.000Z");
    const transfer = pending({ expiresAt });
    expect(isTransferOpen(transfer, new Date(expiresAt.getTime() - 1))).toBe(true);
    expect(isTransferOpen(transfer, expiresAt)).toBe(false);
    expect(isTransferDue(transfer, new Date(expiresAt.getTime() - 1))).toBe(false);
    expect(isTransferDue(transfer, expiresAt)).toBe(true);
    expect(isTransferDue({ ...transfer, status: "CANCELED" }, expiresAt)).toBe(false);
  });

  it("T10: deciding by ID on a lapsed pending transfer reads EXPIRED", () => {
    expect(judgeIncomingTransfer(pending({ expiresAt: now }), DEST, now)).toMatchObject({ code: "TRANSFER_NOT_PENDING", message: "The transfer is EXPIRED." });
  });
});
