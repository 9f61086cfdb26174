// V5–V7, U5: webhook endpoints. An operator holds at most MAX_WEBHOOK_ENDPOINTS (counted under the
// operator row's lock, so two concurrent creations cannot both take the last place). A user sees
// and changes only the endpoints it created; the root user sees all (U5). The signing secret is
// returned once by create and rotate, and stored only sealed (secret-box.ts).
import { v7 as uuidv7 } from "uuid";
import type { Principal } from "../context.ts";
import type { Tx } from "../db/database.ts";
import { refuse } from "../db/refusal.ts";
import { unscopedTx } from "../db/tenant.ts";
import { userError } from "../domain/user-error.ts";
import { newSigningSecret, sealSecret } from "./secret-box.ts";
import type { UrlVerdict } from "./url-policy.ts";

export const MAX_WEBHOOK_ENDPOINTS = 10;
/** V6: the previous secret keeps signing this long after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;
export const MAX_WEBHOOK_DESCRIPTION = 500;

/** U5: which endpoints a principal reads and changes. */
export function endpointVisibility(principal: Principal | undefined): { createdBy?: string } {
  return principal?.kind === "USER" ? { createdBy: principal.userId } : {};
}

export interface EndpointActor {
  operatorId: string;
  principal: Principal | undefined;
  now: Date;
  encryptionKey: Buffer;
}

function checkUrl(verdict: UrlVerdict): string {
  if (!verdict.ok) refuse(verdict.error);
  return verdict.target.url.toString();
}

function checkDescription(description: string | null | undefined): void {
  if (description != null && description.length > MAX_WEBHOOK_DESCRIPTION) {
    refuse(userError("INVALID_INPUT", `A description has at most ${MAX_WEBHOOK_DESCRIPTION} characters.`, ["input", "description"]));
  }
}

/** tx: the tenant view of the mutation's transaction. */
export async function createWebhookEndpoint(
  tx: Tx,
  actor: EndpointActor,
  input: { verdict: UrlVerdict; description?: string | null; eventTypes?: readonly string[] | null },
) {
  const url = checkUrl(input.verdict);
  checkDescription(input.description);
  // Serializes this operator's creations: the count below cannot be raced past the limit.
  await tx.operator.update({ where: { id: actor.operatorId }, data: { updatedAt: actor.now } });
  // The limit is the operator's: counted past the user's own view of endpoints (U5), still within the operator.
  if ((await unscopedTx(tx).webhookEndpoint.count({ where: { operatorId: actor.operatorId } })) >= MAX_WEBHOOK_ENDPOINTS) {
    refuse(userError("WEBHOOK_LIMIT_EXCEEDED", `An operator has at most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints; delete one first.`));
  }
  const id = uuidv7();
  const secret = newSigningSecret();
  const endpoint = await tx.webhookEndpoint.create({
    data: {
      id,
      operatorId: actor.operatorId,
      createdBy: actor.principal?.kind === "USER" ? actor.principal.userId : null,
      url,
      description: input.description ?? null,
      eventTypes: JSON.stringify([...new Set(input.eventTypes ?? [])].sort()),
      secret: sealSecret(actor.encryptionKey, id, secret),
      createdAt: actor.now,
    },
  });
  return { endpoint, signingSecret: secret };
}

/** The endpoint the principal may change, or NOT_FOUND (U5: another's endpoint looks like none). */
export async function visibleEndpoint(tx: Tx, principal: Principal | undefined, endpointId: string | null) {
  const endpoint = endpointId ? await tx.webhookEndpoint.findFirst({ where: { id: endpointId, ...endpointVisibility(principal) } }) : null;
  if (!endpoint) refuse(userError("NOT_FOUND", "No such webhook endpoint.", ["input", "endpointId"]));
  return endpoint;
}

export async function updateWebhookEndpoint(
  tx: Tx,
  actor: EndpointActor,
  endpointId: string | null,
  input: { verdict: UrlVerdict | null; description?: string | null; eventTypes?: readonly string[] | null; enabled?: boolean | null },
) {
  const current = await visibleEndpoint(tx, actor.principal, endpointId);
  const url = input.verdict ? checkUrl(input.verdict) : undefined;
  checkDescription(input.description);
  const enabling = input.enabled === true && !current.enabled;
  return tx.webhookEndpoint.update({
    where: { id: current.id },
    data: {
      ...(url !== undefined ? { url } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.eventTypes != null ? { eventTypes: JSON.stringify([...new Set(input.eventTypes)].sort()) } : {}),
      ...(input.enabled != null ? { enabled: input.enabled } : {}),
      // Enabled again by hand: the failure clock and the reason start over.
      ...(enabling ? { disabledReason: null, failingSince: null } : {}),
      ...(input.enabled === false ? { disabledReason: null } : {}),
    },
  });
}

export async function deleteWebhookEndpoint(tx: Tx, actor: EndpointActor, endpointId: string | null): Promise<string> {
  const current = await visibleEndpoint(tx, actor.principal, endpointId);
  await tx.webhookEndpoint.delete({ where: { id: current.id } });
  return current.id;
}

/** V6: a new secret; the old one signs beside it for ROTATION_OVERLAP_MS. */
export async function rotateWebhookSecret(tx: Tx, actor: EndpointActor, endpointId: string | null) {
  const current = await visibleEndpoint(tx, actor.principal, endpointId);
  const secret = newSigningSecret();
  const endpoint = await tx.webhookEndpoint.update({
    where: { id: current.id },
    data: {
      secret: sealSecret(actor.encryptionKey, current.id, secret),
      previousSecret: current.secret,
      previousSecretUntil: new Date(actor.now.getTime() + ROTATION_OVERLAP_MS),
    },
  });
  return { endpoint, signingSecret: secret };
}

/**
 * U8: a deleted user's endpoints stop delivering at once. For the user deletion path, in its
 * transaction (tx unscoped or the operator's view).
 */
export async function disableEndpointsOf(tx: Tx, userId: string): Promise<number> {
  const { count } = await tx.webhookEndpoint.updateMany({
    where: { createdBy: userId, enabled: true },
    data: { enabled: false, disabledReason: "its user was deleted" },
  });
  return count;
}
