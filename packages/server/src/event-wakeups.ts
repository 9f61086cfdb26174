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
// - The LISTEN connection is reopened when it drops (backoff up to 5 s), and every stream of the
//   process is woken then: notifications sent while it was down are lost.
import { Client } from "pg";
import type { Db, DatabaseTarget } from "@simgate/schema/db/database";
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
  coalesceMs?: number;
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
    const wait = (lastWake.get(operatorId) ?? 0) + (options.coalesceMs ?? 25) - Date.now();
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

  const stopHook = onEventsCommitted(db, async (commits) => {
    for (const commit of commits) wakeOperator(commit.operatorId);
    if (target.provider !== "postgresql") return;
    const payloads = commits.map((c) => `${instanceId}:${c.operatorId}:${c.lastSequence}`);
    try {
      await db.$executeRaw`SELECT pg_notify(${EVENTS_CHANNEL}, payload) FROM unnest(${payloads}::text[]) AS payload`;
    } catch (err) {
      logger.warn({ err }, "NOTIFY after an event commit failed: other instances see the events at their next recheck");
    }
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
