// Authorization, declared in one place (U3–U5, O3, O5). Every field of Query, Mutation, Subscription
// and Operator has a rule here; every other object type has one too, or says it is reached only
// through a field that decides ("viaField"). applyFieldAccess wraps the built schema's resolvers
// with these rules; field-access.test.ts fails when a field or type of the schema has none.
//
// To declare a new field: add `fieldName: <rule>` under its type below (rules: auth/access.ts
// FieldRule; a U3 action is `act("Area:name")`, which must be in domain/permissions.ts ACTION_CATALOG).
// A new object type gets a TYPE_ACCESS entry.
import { defaultFieldResolver, GraphQLError, getNamedType, isObjectType, type GraphQLField, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import { audited } from "../audit/audited.ts";
import { decideField, isScopedRead, type FieldRule } from "../auth/access.ts";
import type { Context } from "../context.ts";
import { refuse } from "../db/refusal.ts";
import { userError } from "../domain/user-error.ts";
import { safeDecode } from "../ids/global-id.ts";
import { visibleByIdOf } from "../events/visibility.ts";

const act = (action: string): FieldRule => ({ action });

/** Root types and Operator (the viewer's fields): one rule per field. Names of fields not (yet) in the schema are allowed. */
export const FIELD_ACCESS: Record<"Query" | "Mutation" | "Subscription" | "Operator", Record<string, FieldRule>> = {
  Query: {
    viewer: "optional",
    node: "optional",
    nodes: "optional",
    whoami: "optional",
    sim: act("Sim:read"),
    supportScope: act("Support:read"),
    explainAccess: "root",
    adminOutbox: "admin",
  },
  Mutation: {
    signUp: "public",
    authenticate: "public",
    verifyEmailAddress: "public",
    requestAccountRecovery: "public",
    logout: "signedIn",
    createAuthKey: "root",
    deleteAuthKey: "root",
    addEmailAddress: "root",
    removeEmailAddress: "root",
    setEmailRole: "root",
    registerPaymentMethod: "root",
    updateInvoiceSettings: "root",
    changeSupportPlan: "root",
    acceptSimTransfer: "root",
    rejectSimTransfer: "root",
    createUser: "root",
    updateUser: "root",
    setUserPermissions: "root",
    deleteUser: "root",
    registerSim: act("Sim:registerSim"),
    registerSims: act("Sim:registerSims"),
    activateSim: act("Sim:activateSim"),
    deactivateSim: act("Sim:deactivateSim"),
    setSimToStandby: act("Sim:setSimToStandby"),
    suspendSim: act("Sim:suspendSim"),
    terminateSim: act("Sim:terminateSim"),
    terminateSims: act("Sim:terminateSims"),
    applySimAction: act("Sim:applySimAction"),
    setSimTerminationProtection: act("Sim:setSimTerminationProtection"),
    setSimExpiry: act("Sim:setSimExpiry"),
    clearSimExpiry: act("Sim:clearSimExpiry"),
    updateSim: act("Sim:updateSim"),
    addSimTags: act("Sim:addSimTags"),
    removeSimTags: act("Sim:removeSimTags"),
    issueSimTransfer: act("SimTransfer:issueSimTransfer"),
    cancelSimTransfer: act("SimTransfer:cancelSimTransfer"),
    applyForSimTransfer: act("SimTransfer:applyForSimTransfer"),
    createSupportTicket: act("Support:createSupportTicket"),
    replyToSupportTicket: act("Support:replyToSupportTicket"),
    closeSupportTicket: act("Support:closeSupportTicket"),
    requestOfficeHours: act("Support:requestOfficeHours"),
    cancelOfficeHoursRequest: act("Support:cancelOfficeHoursRequest"),
    createSimGroup: act("Group:createSimGroup"),
    updateSimGroup: act("Group:updateSimGroup"),
    deleteSimGroup: act("Group:deleteSimGroup"),
    setSimGroup: act("Group:setSimGroup"),
    createWebhookEndpoint: act("Webhook:createWebhookEndpoint"),
    updateWebhookEndpoint: act("Webhook:updateWebhookEndpoint"),
    deleteWebhookEndpoint: act("Webhook:deleteWebhookEndpoint"),
    rotateWebhookSecret: act("Webhook:rotateWebhookSecret"),
    sendTestWebhook: act("Webhook:sendTestWebhook"),
    redeliverWebhookEvents: act("Webhook:redeliverWebhookEvents"),
    adminProvisionSims: "admin",
    adminReportSession: "admin",
    adminReplyToSupportTicket: "admin",
    adminRunDueJobs: "admin",
  },
  Subscription: {
    events: act("Event:read"),
  },
  Operator: {
    id: "signedIn",
    operatorId: "signedIn",
    name: "signedIn",
    createdAt: "signedIn",
    primaryEmail: "root",
    recoveryEmail: "root",
    emailAddresses: "root",
    notificationRecipients: "root",
    supportPlan: "root",
    paymentMethod: "root",
    invoiceSettings: "root",
    authKeys: "root",
    sims: act("Sim:read"),
    simTransfers: act("SimTransfer:read"),
    supportTickets: act("Support:read"),
    officeHoursRequests: act("Support:read"),
    auditLog: act("AuditLog:read"),
    events: act("Event:read"),
    webhookEndpoints: act("Webhook:read"),
    users: act("User:read"),
    simGroups: act("Group:read"),
  },
};

/**
 * Every other object type: the rule for reading it wherever it appears (node(id), a field of another
 * type), or "viaField" when it is only reachable through a field whose rule already decides.
 */
export const TYPE_ACCESS: Record<string, FieldRule | "viaField"> = {
  EmailAddress: "root",
  PaymentMethod: "root",
  InvoiceSettings: "root",
  NotificationRecipients: "root",
  AuthKey: "root",
  User: act("User:read"),
  Principal: "viaField",
  PermissionStatement: "viaField",
  AccessDecision: "viaField",
  Sim: act("Sim:read"),
  SimTransfer: act("SimTransfer:read"),
  SupportTicket: act("Support:read"),
  OfficeHoursRequest: act("Support:read"),
  AuditLogEntry: act("AuditLog:read"),
  SimGroup: act("Group:read"),
  Event: act("Event:read"),
  WebhookEndpoint: act("Webhook:read"),
  WebhookDelivery: act("Webhook:read"),
  OutboxMessage: "admin",
  // Parts of a type above, reached only through it.
  SimTag: "viaField",
  SimExpiry: "viaField",
  SimStatusChange: "viaField",
  SupportMessage: "viaField",
  OfficeHoursSlot: "viaField",
  PageInfo: "viaField",
  UserError: "viaField",
  // Connections and edges: reached through the list field that decides.
  SimConnection: "viaField",
  SimEdge: "viaField",
  SimStatusChangeConnection: "viaField",
  SimStatusChangeEdge: "viaField",
  SimTransferConnection: "viaField",
  SimTransferEdge: "viaField",
  SupportTicketConnection: "viaField",
  SupportTicketEdge: "viaField",
  OfficeHoursRequestConnection: "viaField",
  OfficeHoursRequestEdge: "viaField",
  AuditLogEntryConnection: "viaField",
  AuditLogEntryEdge: "viaField",
  UserConnection: "viaField",
  UserEdge: "viaField",
  SimGroupConnection: "viaField",
  SimGroupEdge: "viaField",
  EventConnection: "viaField",
  EventEdge: "viaField",
  WebhookDeliveryConnection: "viaField",
  WebhookDeliveryEdge: "viaField",
  // Mutation payloads: reached through the mutation that decides.
  SignUpPayload: "viaField",
  AuthenticatePayload: "viaField",
  LogoutPayload: "viaField",
  CreateAuthKeyPayload: "viaField",
  DeleteAuthKeyPayload: "viaField",
  EmailAddressPayload: "viaField",
  RemoveEmailAddressPayload: "viaField",
  OperatorPayload: "viaField",
  RequestAccountRecoveryPayload: "viaField",
  SimPayload: "viaField",
  SimOperationResult: "viaField",
  TerminateSimsPayload: "viaField",
  SimBulkPayload: "viaField",
  SimTransferPayload: "viaField",
  SupportTicketPayload: "viaField",
  OfficeHoursRequestPayload: "viaField",
  UserPayload: "viaField",
  DeleteUserPayload: "viaField",
  SimGroupPayload: "viaField",
  DeleteSimGroupPayload: "viaField",
  SetSimGroupPayload: "viaField",
  WebhookEndpointPayload: "viaField",
  WebhookEndpointSecretPayload: "viaField",
  DeleteWebhookEndpointPayload: "viaField",
  WebhookDeliveryPayload: "viaField",
  RedeliverWebhookEventsPayload: "viaField",
  AdminProvisionSimsPayload: "viaField",
  AdminRunDueJobsPayload: "viaField",
};

const ROOT_TYPES = ["Query", "Mutation", "Subscription"] as const;

function unauthenticated(): GraphQLError {
  return new GraphQLError("Sign in first: send Authorization: Bearer <token>.", { extensions: { code: "UNAUTHENTICATED" } });
}
function forbidden(): GraphQLError {
  return new GraphQLError("This field is for the platform administrator only.", { extensions: { code: "FORBIDDEN" } });
}
function permissionDenied(explanation: string): GraphQLError {
  return new GraphQLError(explanation, { extensions: { code: "PERMISSION_DENIED" } });
}

/** Null when the field may run; otherwise the GraphQL error a read answers. */
function readRefusal(ctx: Context, rule: FieldRule, field: string, anonymous: "refuse" | "pass"): GraphQLError | null {
  if (rule === "public") return null;
  if (rule === "admin") return ctx.isAdmin ? null : forbidden();
  if (!ctx.viewer) return rule === "optional" || anonymous === "pass" ? null : unauthenticated();
  if (isScopedRead(rule)) return null;
  const decision = decideField(ctx.viewer.principal, rule, field);
  return decision.allowed ? null : permissionDenied(decision.explanation);
}

/** node(id)/nodes(ids): the type an ID names decides, as the field reaching that type would. */
function nodeRefusal(ctx: Context, globalId: unknown): GraphQLError | null {
  if (!ctx.viewer || typeof globalId !== "string") return null;
  const typename = safeDecode(globalId)?.typename;
  const rule = typename ? TYPE_ACCESS[typename] : undefined;
  if (!rule || rule === "viaField") return null;
  return readRefusal(ctx, rule, typename!, "pass");
}

/**
 * U4: events (and webhook deliveries, through their event) are Nodes whose readability depends on
 * their SIM, which no type-level rule can say: the positions of `ids` a user may not read, answered
 * as unknown (null) like a missing ID. One statement per type asked for; none for the root.
 */
async function hiddenEvents(ctx: Context, ids: readonly unknown[]): Promise<Set<number>> {
  const hidden = new Set<number>();
  if (ctx.viewer?.principal.kind !== "USER") return hidden;
  for (const kind of ["Event", "WebhookDelivery"] as const) {
    const wanted = ids.flatMap((id, i) => {
      const decoded = typeof id === "string" ? safeDecode(id) : null;
      return decoded?.typename === kind ? [{ i, rowId: decoded.id }] : [];
    });
    if (wanted.length === 0) continue;
    const visible = await visibleByIdOf(ctx.unscopedDb, ctx.viewer.principal, ctx.viewer.id, kind, wanted.map((w) => w.rowId));
    for (const w of wanted) if (!visible.has(w.rowId)) hidden.add(w.i);
  }
  return hidden;
}

function wrapRoot(typeName: string, field: GraphQLField<unknown, Context>, rule: FieldRule): void {
  const resolve = (field.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, Context>;
  const name = field.name;
  if (typeName === "Mutation") {
    field.resolve = (source, args, ctx, info) => {
      const refusal = readRefusal(ctx, rule, name, "refuse");
      if (refusal?.extensions.code !== "PERMISSION_DENIED") {
        if (refusal) throw refusal;
        return resolve(source, args, ctx, info);
      }
      // U5, U10: a user's refused mutation is data (the payload's userErrors) and is audited.
      return audited(ctx, name, async () => refuse(userError("PERMISSION_DENIED", refusal.message)));
    };
    return;
  }
  if (typeName === "Query" && name === "node") {
    field.resolve = async (source, args, ctx, info) => {
      const id = (args as { id?: unknown }).id;
      const refusal = nodeRefusal(ctx, id);
      if (refusal) throw refusal;
      const node = await resolve(source, args, ctx, info);
      return node && (await hiddenEvents(ctx, [id])).has(0) ? null : node;
    };
    return;
  }
  if (typeName === "Query" && name === "nodes") {
    field.resolve = async (source, args, ctx, info) => {
      const ids = ((args as { ids?: unknown[] }).ids ?? []) as unknown[];
      const refusals = ids.map((id) => nodeRefusal(ctx, id));
      // A refused ID is not looked up; its position answers the error (null plus an error at that index).
      const loaded = (await resolve(source, { ...args, ids: ids.map((id, i) => (refusals[i] ? "" : id)) }, ctx, info)) as unknown[];
      const hidden = await hiddenEvents(ctx, ids);
      return loaded.map((node, i) => refusals[i] ?? (hidden.has(i) ? null : node));
    };
    return;
  }
  const guard = (ctx: Context) => {
    const refusal = readRefusal(ctx, rule, name, typeName === "Operator" ? "pass" : "refuse");
    if (refusal) throw refusal;
  };
  field.resolve = (source, args, ctx, info) => {
    guard(ctx);
    return resolve(source, args, ctx, info);
  };
  if (field.subscribe) {
    const subscribe = field.subscribe;
    field.subscribe = (source, args, ctx, info) => {
      guard(ctx);
      return subscribe(source, args, ctx, info);
    };
  }
}

/** A field of another type that returns a type with its own rule (e.g. Sim.pendingTransfer → SimTransfer). */
function wrapNested(field: GraphQLField<unknown, Context>, typename: string, rule: FieldRule): void {
  const resolve = (field.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, Context>;
  field.resolve = (source, args, ctx, info) => {
    const refusal = readRefusal(ctx, rule, typename, "pass");
    if (refusal) throw refusal;
    return resolve(source, args, ctx, info);
  };
}

/** Fields that reach a type with its own rule but show only the caller itself: a user always reads its own identity (U1 whoami). */
const OWN_IDENTITY = new Set(["Principal.user"]);

const sameRule = (a: FieldRule | "viaField" | undefined, b: FieldRule | "viaField" | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** Applies FIELD_ACCESS and TYPE_ACCESS to the built schema; a field or type without a rule stops the build. */
export function applyFieldAccess(schema: GraphQLSchema): GraphQLSchema {
  for (const typeName of [...ROOT_TYPES, "Operator"] as const) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const rule = FIELD_ACCESS[typeName][field.name];
      if (!rule) throw new Error(`No access rule for ${typeName}.${field.name}: declare one in graphql/field-access.ts`);
      wrapRoot(typeName, field as GraphQLField<unknown, Context>, rule);
    }
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__") || (ROOT_TYPES as readonly string[]).includes(type.name) || type.name === "Operator") continue;
    const own = TYPE_ACCESS[type.name];
    if (!own) throw new Error(`No access rule for type ${type.name}: declare one in graphql/field-access.ts`);
    for (const field of Object.values(type.getFields())) {
      const target = getNamedType(field.type).name;
      const rule = TYPE_ACCESS[target];
      if (!rule || rule === "viaField" || sameRule(rule, own) || OWN_IDENTITY.has(`${type.name}.${field.name}`)) continue;
      wrapNested(field as GraphQLField<unknown, Context>, target, rule);
    }
  }
  return schema;
}
