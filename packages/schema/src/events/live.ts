// V4: the push side of the log. A stream replays the reader's events after `after` and then goes
// live, reading ONLY from the log, by sequence: it keeps the last sequence it read and asks for
// `sequence > last` every time. Wake-ups (an in-process emitter, PostgreSQL NOTIFY) only say "look
// again"; they carry nothing the stream trusts. So events committed while the stream switches
// from replay to live are neither skipped nor repeated: the stream starts watching before its
// first read, any wake-up during a read causes one more read, and V2 (numbers handed out in commit
// order, no gaps) means nothing can appear below a sequence already read.
import type { EventWakeups, LiveEventsSupport } from "../context.ts";
import type { Db, Tx } from "../db/database.ts";
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
  db: Db | Tx,
  support: Pick<LiveEventsSupport, "wakeups" | "recheckMs" | "signal">,
  reader: EventReader,
  query: LiveEventQuery,
  options: LiveEventOptions = {},
): Promise<AsyncIterableIterator<StoredEvent>> {
  const stream = new EventStream(db, support, reader, query.types ?? null, options);
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
  private closed = false;
  private last = 0n;
  private sleeper: (() => void) | null = null;
  private readonly unwatch: () => void;
  private readonly onAbort = () => void this.return();

  constructor(
    private readonly db: Db | Tx,
    private readonly support: Pick<LiveEventsSupport, "wakeups" | "recheckMs" | "signal">,
    private reader: EventReader,
    private readonly types: readonly string[] | null,
    private readonly options: LiveEventOptions,
  ) {
    // Watch before the first read: a commit between that read and the first wait is not missed.
    this.unwatch = support.wakeups.watch(reader.operatorId, () => {
      this.dirty = true;
      this.wake();
    });
    support.signal.addEventListener("abort", this.onAbort, { once: true });
  }

  async start(after: bigint | null): Promise<void> {
    if (this.support.signal.aborted) return void (await this.return());
    this.last = after ?? (await lastEventSequence(this.reader.sql, this.reader.operatorId));
    await this.read();
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
      if (this.options.refreshReader) {
        const reader = await this.options.refreshReader();
        if (!reader) {
          await this.return();
          continue;
        }
        this.reader = reader;
      }
      if (!this.closed) await this.read();
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

  private async read(): Promise<void> {
    // Cleared before reading: a wake-up during the read asks for one more.
    this.dirty = false;
    const page = (await sharedTail(this.db, this.reader, this.last, this.types)) ?? (await readEvents(this.reader, { after: this.last, first: LIVE_PAGE, types: this.types }));
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
 * Streams of one operator that see the same events (same visibility, no per-SIM scope) share one
 * log read per wake-up: requests made within SHARE_WINDOW_MS of the first are answered by ONE read
 * of `sequence > min(their last)`, every type, and each stream takes its part. Only reads not yet
 * started are joined, so a stream woken by a commit never gets a read that began before it. The
 * page covers (min, scannedThrough] completely, so each stream's part (last, scannedThrough] is
 * complete too (V4: nothing skipped, nothing repeated). Null: read alone (a per-SIM scope, or the
 * shared page ended below this stream's last).
 */
const SHARE_WINDOW_MS = 2;
interface PendingTail {
  after: bigint;
  page: Promise<EventPage>;
}
const pendingTails = new WeakMap<object, Map<string, PendingTail>>();

async function sharedTail(db: Db | Tx, reader: EventReader, last: bigint, types: readonly string[] | null): Promise<EventPage | null> {
  const visibility = eventVisibility(reader.principal);
  if (needsSimCheck(visibility)) return null;
  const key = `${reader.operatorId}:${JSON.stringify(visibility)}`;
  const byKey = pendingTails.get(db) ?? pendingTails.set(db, new Map()).get(db)!;
  let pending = byKey.get(key);
  if (pending) {
    if (last < pending.after) pending.after = last;
  } else {
    const entry: PendingTail = { after: last, page: null as unknown as Promise<EventPage> };
    entry.page = new Promise<void>((resolve) => setTimeout(resolve, SHARE_WINDOW_MS)).then(() => {
      // Closed to joiners from here: the read starts now.
      if (byKey.get(key) === entry) byKey.delete(key);
      return readEvents(reader, { after: entry.after, first: LIVE_PAGE, types: null });
    });
    byKey.set(key, entry);
    pending = entry;
  }
  let page: EventPage;
  try {
    page = await pending.page;
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
