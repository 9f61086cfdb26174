// V4: the push side of the log. A stream replays the reader's events after `after` and then goes
// live, reading ONLY from the log, by sequence: it keeps the last sequence it read and asks for
// `sequence > last` every time. Wake-ups (an in-process emitter, PostgreSQL NOTIFY) only say "look
// again"; they carry nothing the stream trusts. So events committed while the stream switches
// from replay to live are neither skipped nor repeated: the stream starts watching before its
// first read, any wake-up during a read causes one more read, and V2 (numbers handed out in commit
// order, no gaps) means nothing can appear below a sequence already read.
import type { EventWakeups, LiveEventsSupport } from "../context.ts";
import type { SqlReader } from "../db/sql-reader.ts";
import { lastEventSequence, readEvents, type EventPage, type EventReader } from "./read.ts";
import type { StoredEvent } from "./types.ts";
import { eventVisibility, needsSimCheck } from "./visibility.ts";

export type { EventWakeups, LiveEventsSupport };

export interface LiveEventQuery {
  /** Exclusive; null: from now (the operator's lastEventSequence when the stream opens). */
  after: bigint | null;
  types?: readonly string[] | null;
}

export interface LiveEventOptions {
  /**
   * The reader as it is now (U8: permissions re-read), or null when its session is no longer
   * valid (expired, revoked, user deleted): the stream then ends. Called before every read but the
   * first, i.e. on every wake-up and at least every recheckMs.
   */
  refreshReader?: () => Promise<EventReader | null>;
  /**
   * Streams whose refreshReader gives the same answer (the same session, from the same address)
   * say so with the same key: woken together, they share one refresh, and then one log read.
   */
  refreshKey?: string;
  /** Called once when the stream ends, however it ends. */
  onClose?: () => void | Promise<void>;
}

/** Events read per statement while catching up. */
export const LIVE_PAGE = 200;

/**
 * Opens the reader's stream. Reads the first page before answering, so a pruned `after` throws
 * EventCursorExpired here (before anything is sent) rather than in the middle of the stream.
 */
export async function openEventStream(
  support: Pick<LiveEventsSupport, "wakeups" | "recheckMs" | "signal">,
  reader: EventReader,
  query: LiveEventQuery,
  options: LiveEventOptions = {},
): Promise<AsyncIterableIterator<StoredEvent>> {
  const stream = new EventStream(support, reader, query.types ?? null, options);
  try {
    await stream.start(query.after);
  } catch (error) {
    await stream.return();
    throw error;
  }
  return stream;
}

class EventStream implements AsyncIterableIterator<StoredEvent> {
  private buffer: StoredEvent[] = [];
  private more = false;
  /** A wake-up came since the last read began. */
  private dirty = false;
  /** The tick of that wake-up: a shared refresh or read started after it serves this stream. */
  private wokeAt = 0;
  private closed = false;
  private last = 0n;
  private sleeper: (() => void) | null = null;
  private readonly unwatch: () => void;
  private readonly onAbort = () => void this.return();

  constructor(
    private readonly support: Pick<LiveEventsSupport, "wakeups" | "recheckMs" | "signal">,
    private reader: EventReader,
    private readonly types: readonly string[] | null,
    private readonly options: LiveEventOptions,
  ) {
    // Watch before the first read: a commit between that read and the first wait is not missed.
    this.unwatch = support.wakeups.watch(reader.operatorId, () => {
      this.dirty = true;
      this.wokeAt = ++ticks;
      this.wake();
    });
    support.signal.addEventListener("abort", this.onAbort, { once: true });
  }

  async start(after: bigint | null): Promise<void> {
    if (this.support.signal.aborted) return void (await this.return());
    this.last = after ?? (await lastEventSequence(this.reader.sql, this.reader.operatorId));
    await this.read(++ticks);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StoredEvent> {
    return this;
  }

  async next(): Promise<IteratorResult<StoredEvent>> {
    for (;;) {
      if (this.closed) return { done: true, value: undefined };
      const event = this.buffer.shift();
      if (event) return { done: false, value: event };
      if (!this.more && !this.dirty) await this.sleep();
      if (this.closed) continue;
      // What a shared refresh or read must have started after to serve this stream: the wake-up
      // that asked for it, or now (a recheck, the next page of a catch-up).
      const since = this.dirty ? this.wokeAt : ++ticks;
      if (this.options.refreshReader) {
        const { refreshReader, refreshKey } = this.options;
        const reader = await (refreshKey === undefined ? refreshReader() : sharedRefresh(this.reader.sql, refreshKey, since, refreshReader));
        if (!reader) {
          await this.return();
          continue;
        }
        this.reader = reader;
      }
      if (!this.closed) await this.read(since);
    }
  }

  async return(): Promise<IteratorResult<StoredEvent>> {
    if (!this.closed) {
      this.closed = true;
      this.buffer = [];
      this.unwatch();
      this.support.signal.removeEventListener("abort", this.onAbort);
      this.wake();
      await this.options.onClose?.();
    }
    return { done: true, value: undefined };
  }

  async throw(error: unknown): Promise<IteratorResult<StoredEvent>> {
    await this.return();
    throw error;
  }

  private async read(since: number): Promise<void> {
    // Cleared before reading: a wake-up during the read asks for one more.
    this.dirty = false;
    const page = (await sharedTail(this.reader, this.last, this.types, since)) ?? (await readEvents(this.reader, { after: this.last, first: LIVE_PAGE, types: this.types }));
    if (this.closed) return;
    this.buffer = page.events;
    this.more = page.hasNextPage;
    // Past events the reader's permissions hide too (U4), so they are not read again.
    if (page.scannedThrough !== null && page.scannedThrough > this.last) this.last = page.scannedThrough;
  }

  /** Until a wake-up, recheckMs, the server's shutdown or return(). */
  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(), this.support.recheckMs);
      timer.unref?.();
      this.sleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private wake(): void {
    const sleeper = this.sleeper;
    this.sleeper = null;
    sleeper?.();
  }
}

/**
 * Orders this process's wake-ups and the starts of shared reads and refreshes: a stream woken at
 * tick t may take the answer of a read or refresh that started at a later tick, since that one
 * began after the commit the wake-up announced. A plain counter, not a clock: ties cannot happen.
 */
let ticks = 0;

/** A shared read or refresh: not started (joinable) until `startedAt` is set. */
interface Shared<T> {
  startedAt: number | null;
  settled: boolean;
  answer: Promise<T>;
}

interface SharedSlot<T> {
  /** Asked for, starting after SHARE_WINDOW_MS: every stream asking meanwhile joins it. */
  pending?: Shared<T>;
  /** The latest started: it serves streams woken before it started, for RECENT_MS after it ends. */
  recent?: Shared<T>;
}

const noop = () => {};

/** How long a pending read or refresh waits for others to join. */
const SHARE_WINDOW_MS = 2;
/** How long a finished one is kept for streams that were woken before it started but ask later. */
const RECENT_MS = 1000;

/**
 * The answer `since` may take under `key`: the latest started one if it started after `since` and
 * `serves` it, else the pending one (joined), else a new one that starts after SHARE_WINDOW_MS.
 * Streams of one operator are woken together but ask when their consumers have taken what they
 * had, each at its own moment; a started answer they may take is what makes them share.
 */
function shared<T>(
  slots: Map<string, SharedSlot<T>>,
  key: string,
  since: number,
  serves: (started: Shared<T>) => boolean,
  join: (pending: Shared<T>) => void,
  start: () => Promise<T>,
): Shared<T> {
  let slot = slots.get(key);
  if (!slot) slots.set(key, (slot = {}));
  const recent = slot.recent;
  if (recent && recent.startedAt! > since && serves(recent)) return recent;
  if (slot.pending) {
    join(slot.pending);
    return slot.pending;
  }
  const entry: Shared<T> = { startedAt: null, settled: false, answer: null as unknown as Promise<T> };
  const owner = slot;
  // One at a time per key: a stream the running one cannot serve waits for it to end, and the
  // streams that come meanwhile (woken by the same commits) join this one.
  const running = recent && !recent.settled ? recent.answer.then(noop, noop) : undefined;
  const window = new Promise<void>((resolve) => setTimeout(resolve, SHARE_WINDOW_MS));
  entry.answer = (running ? Promise.all([window, running]) : window).then(() => {
    // Closed to joiners from here: it starts now.
    if (owner.pending === entry) owner.pending = undefined;
    entry.startedAt = ++ticks;
    owner.recent = entry;
    return start();
  });
  const forget = () => {
    entry.settled = true;
    const timer = setTimeout(() => {
      if (owner.recent === entry) owner.recent = undefined;
      if (!owner.pending && !owner.recent && slots.get(key) === owner) slots.delete(key);
    }, RECENT_MS);
    timer.unref?.();
  };
  entry.answer.then(forget, forget);
  slot.pending = entry;
  return entry;
}

/**
 * Streams of one operator that see the same events (same visibility, no per-SIM scope) share log
 * reads: ONE read of `sequence > min(their last)`, every type, and each stream takes its part (see
 * `shared` for which read a stream may take). The page covers (after, scannedThrough] completely,
 * so each stream's part (last, scannedThrough] is complete too (V4: nothing skipped, nothing
 * repeated); a started read from above this stream's last does not serve it. Null: read alone (a
 * per-SIM scope, or a shared page that ended below this stream's last).
 */
const sharedReads = new WeakMap<object, Map<string, SharedSlot<EventPage>>>();
const readAfter = new WeakMap<Shared<EventPage>, { after: bigint }>();

async function sharedTail(reader: EventReader, last: bigint, types: readonly string[] | null, since: number): Promise<EventPage | null> {
  const visibility = eventVisibility(reader.principal);
  if (needsSimCheck(visibility)) return null;
  const key = `${reader.operatorId}:${JSON.stringify(visibility)}`;
  // By the SQL reader: one per database and process, where each request has a tenant client of its own.
  const slots = sharedReads.get(reader.sql) ?? sharedReads.set(reader.sql, new Map()).get(reader.sql)!;
  const from = { after: last };
  const entry = shared(
    slots,
    key,
    since,
    (started) => readAfter.get(started)!.after <= last,
    (pending) => {
      const bound = readAfter.get(pending)!;
      if (last < bound.after) bound.after = last;
    },
    () => readEvents(reader, { after: from.after, first: LIVE_PAGE, types: null }),
  );
  if (!readAfter.has(entry)) readAfter.set(entry, from);
  let page: EventPage;
  try {
    page = await entry.answer;
  } catch {
    // e.g. another stream's cursor was pruned: this stream reads alone and meets its own errors.
    return null;
  }
  const through = page.scannedThrough ?? last;
  if (through <= last && page.hasNextPage) return null;
  const wanted = types && types.length > 0 ? new Set(types) : null;
  const events = page.events.filter((e) => BigInt(e.sequence) > last && (!wanted || wanted.has(e.type)));
  return { events, hasNextPage: page.hasNextPage, scannedThrough: through > last ? through : last };
}

/**
 * Refreshes of one key (the same session, from the same address) are shared the same way: an
 * operator's streams woken by one commit re-read their session once, not once each.
 */
const sharedRefreshes = new WeakMap<object, Map<string, SharedSlot<EventReader | null>>>();

function sharedRefresh(sql: SqlReader, key: string, since: number, refresh: () => Promise<EventReader | null>): Promise<EventReader | null> {
  const slots = sharedRefreshes.get(sql) ?? sharedRefreshes.set(sql, new Map()).get(sql)!;
  return shared(slots, key, since, () => true, () => {}, refresh).answer;
}
