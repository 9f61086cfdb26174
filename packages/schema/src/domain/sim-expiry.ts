// S7: setting an expiry, and what it does when its time passes.
import { isReactivation, type SimStatus, type Transition } from "./sim-status.ts";
import { userError, type UserError } from "./user-error.ts";

export const expiryActions = ["DO_NOTHING", "DELETE_SESSION", "DEACTIVATE", "SUSPEND", "TERMINATE"] as const;
export type ExpiryAction = (typeof expiryActions)[number];

export interface ExpirySubject {
  status: SimStatus;
  terminationProtected: boolean;
}

/** Refusals of setSimExpiry; empty when allowed. */
export function judgeSetExpiry(sim: ExpirySubject, expiresAt: Date, action: ExpiryAction, now: Date): UserError[] {
  if (sim.status === "TERMINATED") return [userError("SIM_TERMINATED", "The SIM is terminated (S6).", ["input", "simId"])];
  if (sim.status === "TRANSFERRING") return [userError("SIM_TRANSFERRING", "The SIM is being transferred (T4).", ["input", "simId"])];
  const errors: UserError[] = [];
  if (expiresAt.getTime() <= now.getTime()) errors.push(userError("EXPIRY_IN_PAST", "The expiry must be in the future (S7).", ["input", "expiresAt"]));
  if (action === "TERMINATE" && sim.terminationProtected) {
    errors.push(userError("TERMINATION_PROTECTED", "Expiry with TERMINATE needs termination protection OFF when it is set (S7).", ["input", "action"]));
  }
  return errors;
}

export interface ExpiryEffect {
  /** The session is cut. */
  cutSession: boolean;
  /** The status change, if any. */
  transition: Transition | null;
}

/**
 * S7: the effect of a due expiry. The platform applies it whatever the operator's protections
 * (TERMINATE still terminates after protection was turned back ON) and even on a TRANSFERRING
 * SIM, whose transfer then cannot be accepted (T4). A terminated SIM never changes.
 */
export function expiryEffect(status: SimStatus, action: ExpiryAction): ExpiryEffect {
  if (status === "TERMINATED") return { cutSession: false, transition: null };
  const to: Record<ExpiryAction, SimStatus | null> = {
    DO_NOTHING: null,
    DELETE_SESSION: null,
    DEACTIVATE: "INACTIVE",
    SUSPEND: "SUSPENDED",
    TERMINATE: "TERMINATED",
  };
  const target = to[action];
  const transition = target && target !== status ? { from: status, to: target, reactivation: isReactivation(status, target) } : null;
  return { cutSession: action !== "DO_NOTHING", transition };
}
