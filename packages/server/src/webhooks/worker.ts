// V5, V8: the webhook worker, in every server instance. It claims due deliveries with a lease per
// attempt (webhooks/deliveries.ts), has them signed (Standard Webhooks) and POSTed by the sender's
// thread (sender.ts), and records the answer.
// Woken when events commit through this instance (onEventsCommitted) or a ping/redelivery is
// queued here, and on a poll interval for everything else (other instances' commits, retries,
// expired leases of a killed instance). At most `concurrency` attempts in flight, and at most
// `perEndpoint` per endpoint, so one slow endpoint cannot take every slot.
import type { Db, Provider } from "@simgate/schema/db/database";
import type { Clock } from "@simgate/schema/domain/clock";
import { onEventsCommitted } from "@simgate/schema/events/append";
import {
  claimDueDeliveries,
  deliveryMessage,
  onDeliveriesQueued,
  recordFailure,
  recordSuccesses,
  skipDelivery,
  webhookOwnerMayRead,
  type ClaimedDelivery,
} from "@simgate/schema/webhooks/deliveries";
import type { Logger } from "../logger.ts";
import { WebhookSender } from "./sender.ts";

export interface WebhookWorkerOptions {
  provider: Provider;
  encryptionKey: Buffer;
  timeoutMs: number;
  /** Added to timeoutMs for the lease: room to record the result before another instance may retry. */
  leaseGraceMs?: number;
  pollIntervalMs: number;
  concurrency: number;
  perEndpoint: number;
  allowPrivate: boolean;
  retryScheduleMs: readonly number[];
  /** Wake-ups (commits, finished attempts) start a claim at most this often; the first after a quiet spell at once. Successes are recorded together within such a window. */
  coalesceMs: number;
  /** How long an idle connection to a receiver is kept for the next attempt (post.ts); 0: none. */
  keepAliveMs?: number;
  onResult?: (result: string) => void;
}

/** Successes recorded by one statement at most. */
const MAX_RECORD_BATCH = 200;

export class WebhookWorker {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private ticking: Promise<void> | null = null;
  private again = false;
  private lastClaimAt = 0;
  private wakeTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Map<string, number>();
  private readonly attempts = new Set<Promise<void>>();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly operatorCodes = new Map<string, string>();
  /** Successes waiting to be recorded, the timer that records them, and the recording running. */
  private successes: { delivery: ClaimedDelivery; status: number | null; settle: (outcome: "SUCCEEDED" | "LOST" | Error) => void }[] = [];
  private recordTimer: NodeJS.Timeout | undefined;
  private recording: Promise<void> | null = null;
  /**
   * Whether the last claim may have left due deliveries behind (it took all it was allowed, or an
   * endpoint reached its in-flight budget). Only then does a finished attempt claim at once;
   * otherwise the queue was drained and new work arrives by a (coalesced) wake-up.
   */
  private backlog = false;
  private readonly sender: WebhookSender;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: WebhookWorkerOptions,
  ) {
    this.sender = new WebhookSender(
      { timeoutMs: options.timeoutMs, allowPrivate: options.allowPrivate, keepAliveMs: options.keepAliveMs ?? 0, encryptionKey: options.encryptionKey },
      logger,
    );
  }

  start(): void {
    this.stopped = false;
    // An operator without (matching) endpoints queues nothing: its commits need no claim.
    const queuedSome = (commits: readonly { deliveries?: number }[]) => commits.some((c) => (c.deliveries ?? 1) > 0);
    this.unsubscribe.push(
      onEventsCommitted(this.db, (commits) => void (queuedSome(commits) && this.nudge())),
      onDeliveriesQueued(this.db, () => this.nudge()),
    );
    this.schedule(0);
  }

  /** Stops claiming and waits for the attempts in flight (each ends within its timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.wakeTimer);
    for (const off of this.unsubscribe.splice(0)) off();
    await this.ticking;
    await Promise.allSettled([...this.attempts]);
    await this.flushSuccesses();
    await this.sender.close();
  }

  /** Claims now (tests, and whenever work may have arrived). */
  wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /**
   * Work may have arrived (a commit, a queued ping): claim, but at most once
   * per coalesceMs, so a burst of commits costs one claim rather than one each. With every slot
   * busy nothing is claimed: the next finished attempt wakes the worker again.
   */
  private nudge(): void {
    if (this.stopped || this.wakeTimer) return;
    if (this.attempts.size >= this.options.concurrency) return;
    const wait = this.lastClaimAt + this.options.coalesceMs - Date.now();
    if (wait <= 0) return this.wake();
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wake();
    }, wait);
  }

  /** Resolves when no attempt is in flight (tests). */
  async idle(): Promise<void> {
    while (this.attempts.size > 0 || this.ticking || this.successes.length > 0 || this.recording) {
      await Promise.allSettled([...this.attempts, this.ticking, this.flushSuccesses()]);
    }
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private tick(): Promise<void> {
    if (this.stopped || this.ticking) return this.ticking ?? Promise.resolve();
    this.ticking = (async () => {
      do {
        this.again = false;
        try {
          await this.claimAndStart();
        } catch (err) {
          this.logger.error({ err }, "webhook claim failed");
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.ticking = null;
      if (!this.stopped) this.schedule(this.options.pollIntervalMs);
    });
    return this.ticking;
  }

  private async claimAndStart(): Promise<void> {
    const free = this.options.concurrency - this.attempts.size;
    if (free <= 0) return;
    this.lastClaimAt = Date.now();
    const claimed = await claimDueDeliveries(this.db, {
      provider: this.options.provider,
      now: this.clock.now(),
      // The lease outlives the attempt's timeout with room to record the result.
      leaseMs: this.options.timeoutMs + (this.options.leaseGraceMs ?? 30_000),
      limit: free,
      perEndpoint: this.options.perEndpoint,
      inFlight: this.inFlight,
    });
    for (const delivery of claimed) this.inFlight.set(delivery.endpointId, (this.inFlight.get(delivery.endpointId) ?? 0) + 1);
    this.backlog = claimed.length >= free || [...this.inFlight.values()].some((n) => n >= this.options.perEndpoint);
    for (const delivery of claimed) {
      const attempt = this.attempt(delivery)
        .catch((err) => this.logger.error({ err, deliveryId: delivery.id }, "webhook attempt failed unexpectedly"))
        .finally(() => {
          this.attempts.delete(attempt);
          const left = (this.inFlight.get(delivery.endpointId) ?? 1) - 1;
          if (left > 0) this.inFlight.set(delivery.endpointId, left);
          else this.inFlight.delete(delivery.endpointId);
          // With a backlog a freed slot is filled at once (a coalesced wake would cap an endpoint at
          // perEndpoint attempts per window; attempts ending during a claim share the next one,
          // `again`). Without one, the next claim waits for the coalescing window: under a steady
          // stream of commits that makes one claim per window rather than one per delivery.
          if (this.backlog) this.wake();
          else this.nudge();
        });
      this.attempts.add(attempt);
    }
  }

  private async operatorCode(operatorRowId: string): Promise<string> {
    let code = this.operatorCodes.get(operatorRowId);
    if (!code) {
      const row = await this.db.operator.findUniqueOrThrow({ where: { id: operatorRowId }, select: { operatorId: true } });
      code = row.operatorId;
      this.operatorCodes.set(operatorRowId, code);
    }
    return code;
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    if (!(await webhookOwnerMayRead(this.db, delivery))) {
      await skipDelivery(this.db, delivery, "V9: the endpoint's owner may not read this event.");
      return;
    }
    const { endpoint } = delivery;
    const message = deliveryMessage(delivery, await this.operatorCode(endpoint.operatorId));
    const now = this.clock.now();
    // V6: the previous secret signs too until it expires. The sender's thread opens and signs.
    const sealedSecrets = [endpoint.secret];
    if (endpoint.previousSecret && endpoint.previousSecretUntil && endpoint.previousSecretUntil > now) sealedSecrets.push(endpoint.previousSecret);
    const result = await this.sender.send({ url: endpoint.url, endpointId: endpoint.id, sealedSecrets, messageId: message.id, at: now.getTime(), body: message.body });
    if (result.ok) {
      // The slot is free once the receiver has answered: the success is recorded with others
      // (still under its lease meanwhile, so no other claim can take the delivery).
      void this.recordSuccess(delivery, result.status).then(
        (outcome) => this.options.onResult?.(outcome),
        (err) => this.logger.error({ err, deliveryId: delivery.id }, "recording a webhook success failed: the delivery is retried when its lease ends"),
      );
      return;
    }
    const outcome = await recordFailure(this.db, delivery, result, this.clock.now(), this.options.retryScheduleMs);
    this.options.onResult?.(outcome);
    this.logger.warn({ deliveryId: delivery.id, endpointId: endpoint.id, attempt: delivery.attempts, status: result.status, error: result.error, outcome }, "webhook attempt failed");
  }

  /**
   * Successes are recorded together: the first after a quiet spell starts a window of coalesceMs,
   * and everything answered within it goes in one statement (at once when MAX_RECORD_BATCH wait).
   */
  private recordSuccess(delivery: ClaimedDelivery, status: number | null): Promise<"SUCCEEDED" | "LOST"> {
    const recorded = new Promise<"SUCCEEDED" | "LOST" | Error>((settle) => this.successes.push({ delivery, status, settle }));
    if (this.successes.length >= MAX_RECORD_BATCH) void this.flushSuccesses();
    else this.recordTimer ??= setTimeout(() => void this.flushSuccesses(), this.options.coalesceMs);
    return recorded.then((outcome) => {
      if (outcome instanceof Error) throw outcome;
      return outcome;
    });
  }

  /** Records every success waiting; resolves when none is left (one recording statement at a time). */
  private flushSuccesses(): Promise<void> {
    clearTimeout(this.recordTimer);
    this.recordTimer = undefined;
    if (this.recording) return this.recording; // its loop takes what is waiting
    if (this.successes.length === 0) return Promise.resolve();
    this.recording = (async () => {
      await Promise.resolve(); // the assignment above happens before the loop can end
      try {
        while (this.successes.length > 0) {
          const batch = this.successes.splice(0, MAX_RECORD_BATCH);
          try {
            const recorded = await recordSuccesses(this.db, this.options.provider, batch);
            for (const item of batch) item.settle(recorded.has(item.delivery.id) ? "SUCCEEDED" : "LOST");
          } catch (err) {
            for (const item of batch) item.settle(err instanceof Error ? err : new Error(String(err)));
          }
        }
      } finally {
        this.recording = null;
      }
    })();
    return this.recording;
  }
}
