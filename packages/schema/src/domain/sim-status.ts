// S2–S6: the SIM status machine. One table decides what an operator may do; the mutations,
// `Sim.allowedActions`, sessions and expiries all ask it.
import { userError, type UserError } from "./user-error.ts";

export const simStatuses = ["READY", "ACTIVE", "INACTIVE", "STANDBY", "SUSPENDED", "TERMINATED", "TRANSFERRING"] as const;
export type SimStatus = (typeof simStatuses)[number];

export const simActions = ["ACTIVATE", "DEACTIVATE", "SET_TO_STANDBY", "SUSPEND", "TERMINATE"] as const;
export type SimAction = (typeof simActions)[number];

/** S3 (decision): from which statuses each operator action leads where. */
const transitions: Record<SimAction, { from: readonly SimStatus[]; to: SimStatus }> = {
  ACTIVATE: { from: ["READY", "INACTIVE", "STANDBY", "SUSPENDED"], to: "ACTIVE" },
  DEACTIVATE: { from: ["READY", "ACTIVE", "STANDBY", "SUSPENDED"], to: "INACTIVE" },
  SET_TO_STANDBY: { from: ["READY", "INACTIVE"], to: "STANDBY" },
  SUSPEND: { from: ["READY", "ACTIVE", "INACTIVE", "STANDBY"], to: "SUSPENDED" },
  TERMINATE: { from: ["READY", "ACTIVE", "INACTIVE", "STANDBY", "SUSPENDED"], to: "TERMINATED" },
};

/** S3: subscriptions without standby. */
export const NO_STANDBY_SUBSCRIPTIONS: readonly string[] = ["plan-D", "plan-K"];

export interface SimState {
  status: SimStatus;
  subscription: string;
  terminationProtected: boolean;
}

export interface Transition {
  from: SimStatus;
  to: SimStatus;
  /** S3: leaving SUSPENDED (modem restart, reactivation fee). */
  reactivation: boolean;
}

export type Judgement = { ok: true; transition: Transition } | { ok: false; error: UserError };

/** S3: leaving SUSPENDED for a working status needs a modem restart and carries a fee. */
export function isReactivation(from: SimStatus | null, to: SimStatus): boolean {
  return from === "SUSPENDED" && to !== "SUSPENDED" && to !== "TERMINATED";
}

/** Judges an operator's status action on a SIM; `field` is the input path blamed on refusal. */
export function judgeAction(sim: SimState, action: SimAction, field: string[] = ["input", "simId"]): Judgement {
  const refuse = (error: UserError): Judgement => ({ ok: false, error });
  if (sim.status === "TERMINATED") return refuse(userError("SIM_TERMINATED", "The SIM is terminated and can never change status again (S6).", field));
  if (sim.status === "TRANSFERRING") return refuse(userError("SIM_TRANSFERRING", "The SIM is being transferred; cancel the transfer first (T4).", field));
  const rule = transitions[action];
  if (!rule.from.includes(sim.status)) {
    return refuse(userError("INVALID_STATUS_TRANSITION", `A ${sim.status} SIM cannot ${describe(action)} (S3).`, field));
  }
  if (action === "SET_TO_STANDBY" && NO_STANDBY_SUBSCRIPTIONS.includes(sim.subscription)) {
    return refuse(userError("SUBSCRIPTION_UNSUPPORTED", `Subscription ${sim.subscription} has no standby (S3).`, field));
  }
  if (action === "TERMINATE" && sim.terminationProtected) {
    return refuse(userError("TERMINATION_PROTECTED", "Termination protection is ON; turn it OFF first (S6).", field));
  }
  return { ok: true, transition: { from: sim.status, to: rule.to, reactivation: isReactivation(sim.status, rule.to) } };
}

/** The actions the operator may take now: exactly those judgeAction allows. */
export function allowedActions(sim: SimState): SimAction[] {
  return simActions.filter((action) => judgeAction(sim, action).ok);
}

function describe(action: SimAction): string {
  return { ACTIVATE: "be activated", DEACTIVATE: "be deactivated", SET_TO_STANDBY: "be set to standby", SUSPEND: "be suspended", TERMINATE: "be terminated" }[action];
}
