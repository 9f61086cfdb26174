// V4: what wakes the event streams of this process, and the places they hold.
//
// Wake-ups are hints only ("operator X's log may have grown"): every stream reads the log by
// sequence (events/live.ts), so a lost, late or repeated wake-up can delay a stream by at most
// SIMGATE_SUBSCRIPTION_RECHECK_SECONDS, never make it skip or repeat an event.
//
// - Commits through this process wake its streams directly (onEventsCommitted, in-process). With
//   SQLite that is all there is: one process serves the file.
// - PostgreSQL: the same hook sends `pg_notify('simgate_events', '<instance>:<operator>:<sequence>')`
//   after the commit, and ONE dedicated connection per process LISTENs and wakes the streams of the
//   operator named (its own notifications are skipped: they were delivered in-process already).
//   After the commit rather than inside the transaction: a NOTIFY queued in a transaction makes its
//   COMMIT take a database-wide lock on the notification queue, which would serialise every
//   event-writing commit of every instance (while each still holds its operator's counter row);
//   after the commit it costs one short statement outside any lock. The price: a process that dies
//   between its commit and its NOTIFY leaves other instances to find the events at their next
//   recheck.
//   A process sends its NOTIFYs at most once per wake-up window (SIMGATE_EVENT_WAKE_COALESCE_MS),
//   the first after a quiet spell at once: under a steady stream of commits one statement then
//   carries every operator's last sequence, instead of a round trip per commit (each a wake-up of
//   a database process for the sender and one notification for every listening instance).
// - The LISTEN connection is reopened when it drops (backoff up to 5 s), and every stream of the
//   process is woken then: notifications sent while it was down are lost.
import { Client } from "pg";
import { sqlReaderOf, type Db, type DatabaseTarget } from "@simgate/schema/db/database";
import type { Clock } from "@simgate/schema/domain/clock";
import { onEventsCommitted } from "@simgate/schema/events/append";
import type { LiveEventsSupport } from "@simgate/schema/events/live";
import {
  acquireSubscriptionLease,
  newInstanceId,
  releaseInstanceLeases,
  releaseSubscriptionLease,
  renewSubscriptionLeases,
} from "@simgate/schema/events/subscription-leases";
import type { Logger } from "./logger.ts";

export const EVENTS_CHANNEL = "simgate_events";


export interface LiveEventsOptions {
  db: Db;
  target: DatabaseTarget;
  clock: Clock;
  logger: Logger;
  maxPerOperator: number;
  recheckMs: number;
  leaseMs: number;
  /** Commits wake an operator's streams at most this often (SIMGATE_EVENT_WAKE_COALESCE_MS). */
  coalesceMs: number;
}

export interface LiveEvents extends LiveEventsSupport {
  readonly instanceId: string;
  /** Streams open in this process. */
  readonly openStreams: number;
  /** Starts listening (PostgreSQL) and renewing this process's places. */
  start(): Promise<void>;
  /** Ends every stream, stops listening, gives back this process's places. */
  close(): Promise<void>;
}

export function createLiveEvents(options: LiveEventsOptions): LiveEvents {
  const { db, target, clock, logger } = options;
  const instanceId = newInstanceId();
  const watchers = new Map<string, Set<() => void>>();
  const shutdown = new AbortController();
  const leaseSettings = { provider: target.provider, max: options.maxPerOperator, leaseMs: options.leaseMs, instanceId };
  let open = 0;
  let closing = false;
  let listener: Client | null = null;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let renewTimer: NodeJS.Timeout | undefined;

  // Commits wake an operator's streams at most every coalesceMs: a burst of commits costs
  // one read per stream (or per shared reader), not one per commit. The first wake-up after a quiet
  // spell goes at once, so a lone event is not delayed.
  const lastWake = new Map<string, number>();
  const wakeTimers = new Map<string, NodeJS.Timeout>();
  const wakeNow = (operatorId: string) => {
    lastWake.set(operatorId, Date.now());
    for (const wake of watchers.get(operatorId) ?? []) wake();
  };
  const wakeOperator = (operatorId: string) => {
    if (wakeTimers.has(operatorId) || !watchers.has(operatorId)) return;
    const wait = (lastWake.get(operatorId) ?? 0) + options.coalesceMs - Date.now();
    if (wait <= 0) return wakeNow(operatorId);
    const timer = setTimeout(() => {
      wakeTimers.delete(operatorId);
      wakeNow(operatorId);
    }, wait);
    timer.unref();
    wakeTimers.set(operatorId, timer);
  };
  const wakeEveryone = () => {
    for (const set of watchers.values()) for (const wake of set) wake();
  };

  // What this process has not yet notified: each operator's last committed sequence.
  const unsent = new Map<string, bigint>();
  let notifyTimer: NodeJS.Timeout | undefined;
  let lastNotify = 0;
  let notifying: Promise<void> | null = null;
  const sendNotifies = (): Promise<void> => {
    clearTimeout(notifyTimer);
    notifyTimer = undefined;
    if (unsent.size === 0) return notifying ?? Promise.resolve();
    lastNotify = Date.now();
    const payloads = [...unsent].map(([operatorId, sequence]) => `${instanceId}:${operatorId}:${sequence}`);
    unsent.clear();
    // On the driver, not through Prisma: Prisma's runtime costs several times the statement
    // (db/sql-reader.ts).
    const sent = sqlReaderOf(db)
      .autocommit(`SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload`, [EVENTS_CHANNEL, payloads])
      .then(
        () => {},
        (err: unknown) => logger.warn({ err }, "NOTIFY after an event commit failed: other instances see the events at their next recheck"),
      );
    const current: Promise<void> = sent.finally(() => {
      if (notifying === current) notifying = null;
    });
    notifying = current;
    return current;
  };
  const stopHook = onEventsCommitted(db, (commits) => {
    for (const commit of commits) wakeOperator(commit.operatorId);
    if (target.provider !== "postgresql") return;
    for (const { operatorId, lastSequence } of commits) {
      const known = unsent.get(operatorId);
      if (known === undefined || lastSequence > known) unsent.set(operatorId, lastSequence);
    }
    if (notifyTimer) return;
    const wait = lastNotify + options.coalesceMs - Date.now();
    if (wait <= 0) return void sendNotifies();
    notifyTimer = setTimeout(() => void sendNotifies(), wait);
    notifyTimer.unref();
  });

  async function listen(attempt: number): Promise<void> {
    if (closing) return;
    const client = new Client({ connectionString: target.url });
    const retry = (err?: unknown) => {
      if (listener === client) listener = null;
      client.removeAllListeners();
      client.on("error", () => {});
      void client.end().catch(() => {});
      if (closing) return;
      const delay = Math.min(5000, 100 * 2 ** Math.min(attempt, 6));
      logger.warn({ err, retryInMs: delay }, "event LISTEN connection lost: reconnecting");
      clearTimeout(reconnectTimer);
      reconnectTimer = setTimeout(() => void listen(attempt + 1), delay);
      reconnectTimer.unref();
    };
    client.on("error", retry);
    client.on("end", () => retry());
    client.on("notification", (message) => {
      const [from, operatorId] = (message.payload ?? "").split(":");
      if (from !== instanceId && operatorId) wakeOperator(operatorId);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (err) {
      retry(err);
      return;
    }
    listener = client;
    // Whatever was notified while no connection listened is lost: every stream reads again.
    if (attempt > 0) {
      logger.info({ attempts: attempt }, "event LISTEN connection restored");
      wakeEveryone();
    }
  }

  return {
    instanceId,
    get openStreams() {
      return open;
    },
    wakeups: {
      watch(operatorId, wake) {
        const set = watchers.get(operatorId) ?? watchers.set(operatorId, new Set()).get(operatorId)!;
        set.add(wake);
        return () => {
          set.delete(wake);
          if (set.size === 0 && watchers.get(operatorId) === set) watchers.delete(operatorId);
        };
      },
    },
    recheckMs: options.recheckMs,
    signal: shutdown.signal,
    async openLease(operatorId) {
      const id = await acquireSubscriptionLease(db, leaseSettings, operatorId, clock.now());
      open += 1;
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        open -= 1;
        await releaseSubscriptionLease(db, id);
      };
    },
    async start() {
      if (target.provider === "postgresql") await listen(0);
      // Renewed three times per lease: one late renewal does not let a live stream's place lapse.
      renewTimer = setInterval(() => {
        renewSubscriptionLeases(db, leaseSettings, clock.now()).catch((err) => logger.warn({ err }, "renewing subscription places failed"));
      }, Math.max(1000, Math.floor(options.leaseMs / 3)));
      renewTimer.unref();
    },
    async close() {
      closing = true;
      stopHook();
      // Commits made until now still reach the other instances.
      await sendNotifies();
      clearTimeout(reconnectTimer);
      clearInterval(renewTimer);
      shutdown.abort();
      const client = listener;
      listener = null;
      if (client) {
        client.removeAllListeners();
        client.on("error", () => {});
        await client.end().catch(() => {});
      }
      await releaseInstanceLeases(db, instanceId).catch((err) => logger.warn({ err }, "giving back subscription places failed"));
    },
  };
}
