// S4, S7: what a network session reported by the platform does to a SIM.
import type { SimStatus, Transition } from "./sim-status.ts";
import { isReactivation } from "./sim-status.ts";
import { userError, type UserError } from "./user-error.ts";

export interface SessionSubject {
  status: SimStatus;
  expiresAt: Date | null;
}

export type SessionOutcome = { ok: true; transition: Transition | null } | { ok: false; error: UserError };

/**
 * S4: a session may open on READY, STANDBY, ACTIVE (and TRANSFERRING, which it then ends, T4);
 * READY, STANDBY and TRANSFERRING become ACTIVE. Refused on INACTIVE, SUSPENDED, TERMINATED, and
 * on any SIM past its expiry time (S7).
 */
export function judgeSessionOpen(sim: SessionSubject, now: Date): SessionOutcome {
  const field = ["input", "imsi"];
  if (sim.status === "TERMINATED") return { ok: false, error: userError("SIM_TERMINATED", "A terminated SIM cannot communicate (S6).", field) };
  if (sim.expiresAt && sim.expiresAt <= now) {
    return { ok: false, error: userError("INVALID_STATUS_TRANSITION", "The SIM is past its expiry time: no new session (S7).", field) };
  }
  if (sim.status === "INACTIVE" || sim.status === "SUSPENDED") {
    return { ok: false, error: userError("INVALID_STATUS_TRANSITION", `A ${sim.status} SIM accepts no session (S4).`, field) };
  }
  if (sim.status === "ACTIVE") return { ok: true, transition: null };
  return { ok: true, transition: { from: sim.status, to: "ACTIVE", reactivation: isReactivation(sim.status, "ACTIVE") } };
}
