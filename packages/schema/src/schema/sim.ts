// S: SIM types of the contract. The SIM lifecycle work fills these in; until then the entry
// points answer NOT_IMPLEMENTED so clients see a clear error rather than a wrong answer.
import type { UserError } from "../domain/user-error.ts";
import { builder } from "./builder.ts";
import { notImplemented } from "./not-implemented.ts";
import { OperatorRef } from "./operator.ts";
import { UserErrorRef } from "./user-error.ts";

const pending = (what: string) => () => notImplemented(what);

export const SimStatusEnum = builder.enumType("SimStatus", {
  description: "Where a SIM is in its lifecycle (S2).",
  values: ["READY", "ACTIVE", "INACTIVE", "STANDBY", "SUSPENDED", "TERMINATED", "TRANSFERRING"] as const,
});
export const CoverageEnum = builder.enumType("Coverage", { description: "Where a SIM works (S1).", values: ["GLOBAL", "JAPAN"] as const });
export const ExpiryActionEnum = builder.enumType("ExpiryAction", {
  description: "What happens when a SIM's expiry time passes (S7).",
  values: ["DO_NOTHING", "DELETE_SESSION", "DEACTIVATE", "SUSPEND", "TERMINATE"] as const,
});
const SimActionEnum = builder.enumType("SimAction", {
  description: "Status actions an operator takes on a SIM (S3).",
  values: ["ACTIVATE", "DEACTIVATE", "SET_TO_STANDBY", "SUSPEND", "TERMINATE"] as const,
});
const SimStatusChangeCauseEnum = builder.enumType("SimStatusChangeCause", {
  description: "What changed a SIM's status.",
  values: ["OPERATOR", "NETWORK_SESSION", "EXPIRY", "TRANSFER", "ADMIN"] as const,
});
const TagMatchEnum = builder.enumType("TagMatch", { description: "How a tag filter's value matches.", values: ["EXACT", "PREFIX"] as const });
const SimOrderFieldEnum = builder.enumType("SimOrderField", { description: "What SIM listings sort by.", values: ["CREATED_AT", "IMSI", "NAME", "STATUS"] as const });
const OrderDirectionEnum = builder.enumType("OrderDirection", { description: "Sort direction.", values: ["ASC", "DESC"] as const });

interface Pending {
  id: string;
}

const SimTagRef = builder.objectRef<{ name: string; value: string }>("SimTag").implement({
  description: "A name/value label on a SIM.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "Tag name." }),
    value: t.exposeString("value", { description: "Tag value." }),
  }),
});

const SimExpiryRef = builder.objectRef<{ expiresAt: Date; action: "DO_NOTHING" }>("SimExpiry").implement({
  description: "When a SIM expires and what happens then (S7).",
  fields: (t) => ({
    expiresAt: t.expose("expiresAt", { type: "DateTime", description: "The expiry time." }),
    action: t.field({ type: ExpiryActionEnum, description: "What happens then.", resolve: (e) => e.action }),
  }),
});

const SimStatusChangeRef = builder.objectRef<Pending>("SimStatusChange").implement({
  description: "One entry of a SIM's status history.",
  fields: (t) => ({
    from: t.field({ type: SimStatusEnum, nullable: true, description: "Status before.", resolve: pending("SimStatusChange") }),
    to: t.field({ type: SimStatusEnum, description: "Status after.", resolve: pending("SimStatusChange") }),
    at: t.field({ type: "DateTime", description: "When.", resolve: pending("SimStatusChange") }),
    cause: t.field({ type: SimStatusChangeCauseEnum, description: "What changed it.", resolve: pending("SimStatusChange") }),
    reactivation: t.boolean({ description: "S3: a change out of SUSPENDED.", resolve: pending("SimStatusChange") }),
  }),
});

const SimStatusChangeConnection = builder.connectionObject({ type: SimStatusChangeRef, name: "SimStatusChangeConnection" }, { name: "SimStatusChangeEdge" });

export const SimRef = builder.objectRef<Pending>("Sim");
builder.node(SimRef, {
  description: "A SIM registered to the operator (S1).",
  id: { resolve: (s) => s.id },
  loadOne: () => null,
  fields: (t) => ({
    imsi: t.string({ description: "IMSI, 15 digits.", resolve: pending("Sim") }),
    iccid: t.string({ description: "ICCID, 19 or 20 digits.", resolve: pending("Sim") }),
    msisdn: t.string({ nullable: true, description: "Phone number, if any.", resolve: pending("Sim") }),
    subscription: t.string({ description: "Plan, e.g. plan01s.", resolve: pending("Sim") }),
    coverage: t.field({ type: CoverageEnum, description: "GLOBAL or JAPAN.", resolve: pending("Sim") }),
    status: t.field({ type: SimStatusEnum, description: "Current status (S2).", resolve: pending("Sim") }),
    name: t.string({ nullable: true, description: "Operator-given name.", resolve: pending("Sim") }),
    tags: t.field({ type: [SimTagRef], description: "Labels.", resolve: pending("Sim") }),
    terminationProtected: t.boolean({ description: "ON by default (S6).", resolve: pending("Sim") }),
    expiry: t.field({ type: SimExpiryRef, nullable: true, description: "Expiry, if set (S7).", resolve: pending("Sim") }),
    sessionOnline: t.boolean({ description: "Whether a network session is open (S4).", resolve: pending("Sim") }),
    returnRequired: t.boolean({ description: "S8: a terminated JAPAN-coverage SIM must be sent back.", resolve: pending("Sim") }),
    ownedSince: t.field({ type: "Date", description: "T8: first day the current operator pays the base fee for.", resolve: pending("Sim") }),
    terminatedAt: t.field({ type: "DateTime", nullable: true, description: "When it was terminated.", resolve: pending("Sim") }),
    createdAt: t.field({ type: "DateTime", description: "When it was registered.", resolve: pending("Sim") }),
    updatedAt: t.field({ type: "DateTime", description: "Last change.", resolve: pending("Sim") }),
    statusHistory: t.connection({ type: SimStatusChangeRef, description: "Status changes, newest first.", resolve: pending("Sim.statusHistory") }, SimStatusChangeConnection),
    allowedActions: t.field({
      type: [SimActionEnum],
      description: "Status actions the caller may take on this SIM now, from the same rules that judge them (S3).",
      resolve: pending("Sim"),
    }),
  }),
});

const SimConnection = builder.connectionObject({ type: SimRef, name: "SimConnection" }, { name: "SimEdge" });

const SimTagFilter = builder.inputType("SimTagFilter", {
  description: "Matches SIMs carrying a tag with this name and value.",
  fields: (t) => ({
    name: t.string({ required: true, description: "Tag name." }),
    value: t.string({ required: true, description: "Tag value, or its prefix." }),
    match: t.field({ type: TagMatchEnum, required: false, defaultValue: "EXACT", description: "EXACT or PREFIX." }),
  }),
});
const SimFilter = builder.inputType("SimFilter", {
  description: "Every given condition must hold (S1).",
  fields: (t) => ({
    status: t.field({ type: [SimStatusEnum], required: false, description: "Any of these statuses." }),
    coverage: t.field({ type: CoverageEnum, required: false, description: "This coverage." }),
    subscription: t.stringList({ required: false, description: "Any of these subscriptions." }),
    tag: t.field({ type: SimTagFilter, required: false, description: "A tag." }),
    sessionOnline: t.boolean({ required: false, description: "Session state." }),
    search: t.string({ required: false, description: "Case-insensitive partial match over IMSI, ICCID, MSISDN and name." }),
  }),
});
const SimOrder = builder.inputType("SimOrder", {
  description: "How SIM listings are sorted.",
  fields: (t) => ({
    field: t.field({ type: SimOrderFieldEnum, required: true, description: "Sort key." }),
    direction: t.field({ type: OrderDirectionEnum, required: false, defaultValue: "ASC", description: "Direction." }),
  }),
});

builder.prismaObjectField(OperatorRef, "sims", (t) =>
  t.connection(
    {
      type: SimRef,
      description: "The operator's SIMs (S1).",
      args: { filter: t.arg({ type: SimFilter, required: false }), orderBy: t.arg({ type: SimOrder, required: false }) },
      resolve: pending("Operator.sims"),
    },
    SimConnection,
  ),
);

builder.queryField("sim", (t) =>
  t.field({
    type: SimRef,
    nullable: true,
    authScopes: { operator: true },
    description: "One of the viewer's SIMs by IMSI; null if none (also for another operator's IMSI, O4).",
    args: { imsi: t.arg.string({ required: true }) },
    resolve: pending("sim"),
  }),
);

export const SimPayload = builder.objectRef<{ sim?: Pending | null; userErrors: UserError[] }>("SimPayload").implement({
  description: "The SIM after the change; null when refused.",
  fields: (t) => ({
    sim: t.field({ type: SimRef, nullable: true, description: "The SIM as it is now.", resolve: (p) => p.sim ?? null }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const SimOperationResult = builder.objectRef<{ simId: string; sim: Pending | null; userErrors: UserError[] }>("SimOperationResult").implement({
  description: "The outcome for one SIM of a bulk call.",
  fields: (t) => ({
    simId: t.exposeID("simId", { description: "The SIM as named in the input." }),
    sim: t.field({ type: SimRef, nullable: true, description: "The SIM after the call.", resolve: (r) => r.sim }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty when it worked for this SIM.", resolve: (r) => r.userErrors }),
  }),
});
const TerminateSimsPayload = builder.objectRef<{ results: []; userErrors: UserError[] }>("TerminateSimsPayload").implement({
  description: "One result per SIM, in input order (S6).",
  fields: (t) => ({
    results: t.field({ type: [SimOperationResult], description: "Per SIM, in input order.", resolve: (p) => p.results }),
    userErrors: t.field({ type: [UserErrorRef], description: "Errors of the call as a whole.", resolve: (p) => p.userErrors }),
  }),
});

const RegisterSimInput = builder.inputType("RegisterSimInput", {
  fields: (t) => ({
    imsi: t.string({ required: true, description: "The SIM's IMSI." }),
    registrationSecret: t.string({ required: true, description: "The secret printed with the SIM." }),
  }),
});
const SimInput = builder.inputType("SimInput", { fields: (t) => ({ simId: t.id({ required: true, description: "The SIM." }) }) });
const TerminateSimsInput = builder.inputType("TerminateSimsInput", {
  fields: (t) => ({ simIds: t.idList({ required: true, description: "Up to 1,000 SIMs." }) }),
});
const SetSimTerminationProtectionInput = builder.inputType("SetSimTerminationProtectionInput", {
  fields: (t) => ({ simId: t.id({ required: true, description: "The SIM." }), enabled: t.boolean({ required: true, description: "ON or OFF." }) }),
});
const SetSimExpiryInput = builder.inputType("SetSimExpiryInput", {
  fields: (t) => ({
    simId: t.id({ required: true, description: "The SIM." }),
    expiresAt: t.field({ type: "DateTime", required: true, description: "In the future." }),
    action: t.field({ type: ExpiryActionEnum, required: true, description: "What happens then." }),
  }),
});
const SimTagInput = builder.inputType("SimTagInput", {
  fields: (t) => ({ name: t.string({ required: true, description: "Tag name." }), value: t.string({ required: true, description: "Tag value." }) }),
});
const UpdateSimInput = builder.inputType("UpdateSimInput", {
  description: "Fields left out stay as they are; `tags` replaces every tag.",
  fields: (t) => ({
    simId: t.id({ required: true, description: "The SIM." }),
    name: t.string({ required: false, description: "New name." }),
    tags: t.field({ type: [SimTagInput], required: false, description: "Replaces every tag." }),
  }),
});
const ProvisionSimInput = builder.inputType("ProvisionSimInput", {
  fields: (t) => ({
    imsi: t.string({ required: true, description: "15 digits." }),
    iccid: t.string({ required: true, description: "19 or 20 digits." }),
    msisdn: t.string({ required: false, description: "Phone number." }),
    subscription: t.string({ required: true, description: "Plan." }),
    coverage: t.field({ type: CoverageEnum, required: true, description: "GLOBAL or JAPAN." }),
    registrationSecret: t.string({ required: true, description: "The secret an operator registers the SIM with." }),
  }),
});
const AdminProvisionSimsInput = builder.inputType("AdminProvisionSimsInput", {
  fields: (t) => ({ sims: t.field({ type: [ProvisionSimInput], required: true, description: "Up to 10,000 SIMs." }) }),
});
const AdminProvisionSimsPayload = builder.objectRef<{ provisionedCount: number; userErrors: UserError[] }>("AdminProvisionSimsPayload").implement({
  description: "How many SIMs entered the inventory.",
  fields: (t) => ({
    provisionedCount: t.exposeInt("provisionedCount", { description: "SIMs added." }),
    userErrors: t.field({ type: [UserErrorRef], description: "Per-item refusals.", resolve: (p) => p.userErrors }),
  }),
});
const AdminReportSessionInput = builder.inputType("AdminReportSessionInput", {
  fields: (t) => ({ imsi: t.string({ required: true, description: "The SIM." }), online: t.boolean({ required: true, description: "Opened or closed." }) }),
});
const AdminRunDueJobsPayload = builder.objectRef<{ expiriesApplied: number; transfersExpired: number; userErrors: UserError[] }>("AdminRunDueJobsPayload").implement({
  description: "What the run applied.",
  fields: (t) => ({
    expiriesApplied: t.exposeInt("expiriesApplied", { description: "Expiries applied (S7)." }),
    transfersExpired: t.exposeInt("transfersExpired", { description: "Transfers expired (T10)." }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const statusMutations = [
  ["activateSim", "Activates a SIM (S3)."],
  ["deactivateSim", "Deactivates a SIM (S3)."],
  ["setSimToStandby", "Puts a SIM on standby (S3)."],
  ["suspendSim", "Suspends a SIM (S3)."],
  ["terminateSim", "Terminates a SIM (S6)."],
  ["clearSimExpiry", "Clears a SIM's expiry (S7)."],
] as const;
for (const [name, description] of statusMutations) {
  builder.mutationField(name, (t) =>
    t.field({ type: SimPayload, authScopes: { operator: true }, description, args: { input: t.arg({ type: SimInput, required: true }) }, resolve: pending(name) }),
  );
}

builder.mutationFields((t) => ({
  registerSim: t.field({
    type: SimPayload,
    authScopes: { operator: true },
    description: "Registers a provisioned SIM with its IMSI and registration secret; it starts READY, protection ON.",
    args: { input: t.arg({ type: RegisterSimInput, required: true }) },
    resolve: pending("registerSim"),
  }),
  terminateSims: t.field({
    type: TerminateSimsPayload,
    authScopes: { operator: true },
    description: "One result per SIM, in input order (S6).",
    args: { input: t.arg({ type: TerminateSimsInput, required: true }) },
    resolve: pending("terminateSims"),
  }),
  setSimTerminationProtection: t.field({
    type: SimPayload,
    authScopes: { operator: true },
    description: "Turns termination protection ON or OFF (S6).",
    args: { input: t.arg({ type: SetSimTerminationProtectionInput, required: true }) },
    resolve: pending("setSimTerminationProtection"),
  }),
  setSimExpiry: t.field({
    type: SimPayload,
    authScopes: { operator: true },
    description: "Sets a SIM's expiry (S7).",
    args: { input: t.arg({ type: SetSimExpiryInput, required: true }) },
    resolve: pending("setSimExpiry"),
  }),
  updateSim: t.field({
    type: SimPayload,
    authScopes: { operator: true },
    description: "Renames a SIM and replaces its tags.",
    args: { input: t.arg({ type: UpdateSimInput, required: true }) },
    resolve: pending("updateSim"),
  }),
  adminProvisionSims: t.field({
    type: AdminProvisionSimsPayload,
    authScopes: { admin: true },
    description: "Administrator only (O5): adds SIMs to the inventory.",
    args: { input: t.arg({ type: AdminProvisionSimsInput, required: true }) },
    resolve: pending("adminProvisionSims"),
  }),
  adminReportSession: t.field({
    type: SimPayload,
    authScopes: { admin: true },
    description: "A network session opened (or closed) on a SIM (S4).",
    args: { input: t.arg({ type: AdminReportSessionInput, required: true }) },
    resolve: pending("adminReportSession"),
  }),
  adminRunDueJobs: t.field({
    type: AdminRunDueJobsPayload,
    authScopes: { admin: true },
    description: "Applies every due expiry and transfer expiration now; the scheduler does the same on its own.",
    resolve: pending("adminRunDueJobs"),
  }),
}));
