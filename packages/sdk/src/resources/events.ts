// events: the operator's event log (V1–V4). `list` pulls pages oldest first; `subscribe` streams it
// over GraphQL over SSE and survives dropped connections (P4): it reconnects with exponential
// backoff and resumes after the last sequence it yielded, so a consumer sees every event once, in
// order, across any number of reconnections.
import { createRequest, type Client, type OperationResult } from "@urql/core";
import { CALL_CONTEXT, type CallContext, type CallOptions } from "../call-options.ts";
import { SimgateCorsError, SimgateError, SimgateNetworkError, SimgateServerError, type ResponseInfo } from "../errors.ts";
import type { SimgateEvent, SimgateLogEventType } from "../generated/events.ts";
import { EventsDocument, EventStreamDocument, type EventStreamSubscription } from "../generated/graphql.ts";
import { connectionMethod, pageOf } from "../pagination.ts";
import type { Runner } from "../runner.ts";
import { backoffDelay, sleep, type RetryPolicy } from "../transport/backoff.ts";
import { randomId } from "../transport/random-id.ts";
import { toSimgateError } from "../transport/to-simgate-error.ts";

export interface EventListArgs {
  /** Only these types; empty or left out: every type. */
  types?: SimgateLogEventType[] | null;
}

export interface SubscribeArgs extends EventListArgs {
  /**
   * An Event.sequence (exclusive): replay every event after it, then live. `"0"`: everything kept.
   * Left out: only events committed from now on (a connection dropped before the first event
   * then resumes from the moment it reconnects; pass a sequence for no gap at all).
   */
  after?: string | null;
  /** Ends the stream: the loop finishes normally (no error is thrown). */
  signal?: AbortSignal;
  /**
   * Failed connection attempts in a row before the stream throws (default: unlimited; the wait
   * between them follows the client's retry delays). Each opened stream resets the count.
   */
  maxReconnectAttempts?: number;
}

/** Decimal sequences without leading zeros: longer is larger, equal lengths compare as text. */
function after(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

/** Errors a new connection may cure: the network, the stream, a gateway's 5xx. */
function reconnectable(error: SimgateError): boolean {
  if (error instanceof SimgateCorsError) return false;
  if (error instanceof SimgateNetworkError) return true;
  return error instanceof SimgateServerError && error.code.startsWith("HTTP_5");
}

let streamKey = 0;

type Item = { result: OperationResult<EventStreamSubscription> } | { end: true } | { aborted: true };

/** One subscription through urql (auth exchange included), as a pull queue. */
function openStream(urql: Client, variables: { after: string | null; types: SimgateLogEventType[] | null }, call: CallContext, requestId: string) {
  const queue: Item[] = [];
  let wake: (() => void) | undefined;
  const push = (item: Item) => {
    queue.push(item);
    wake?.();
  };
  const withEnd: CallContext = { ...call, onStreamEnd: () => push({ end: true }) };
  const context = { fetchOptions: { headers: { "x-request-id": requestId }, [CALL_CONTEXT]: withEnd } as RequestInit, requestPolicy: "network-only" as const };
  // urql shares one operation among identical requests; every stream is its own connection (and
  // counts against the operator's limit), so each gets a key no document hash can take.
  const request = { ...createRequest(EventStreamDocument, variables), key: (streamKey -= 1) };
  const { unsubscribe } = urql.executeSubscription(request, context).subscribe((result) => push({ result }));
  return {
    async next(signal: AbortSignal | undefined): Promise<Item> {
      while (queue.length === 0) {
        if (signal?.aborted) return { aborted: true };
        await new Promise<void>((resolve) => {
          wake = resolve;
          signal?.addEventListener("abort", () => resolve(), { once: true });
        });
        wake = undefined;
      }
      return queue.shift()!;
    },
    close: unsubscribe,
  };
}

export function eventsApi(run: Runner, urql: Client, pageSize: number, retry: RetryPolicy) {
  const list = connectionMethod<EventListArgs, SimgateEvent>(
    ({ types, first, after }, options) =>
      run.query(EventsDocument, { types: types ?? null, first, after }, options, ({ viewer }) => pageOf(viewer!.events) as ReturnType<typeof pageOf<SimgateEvent>>),
    pageSize,
  );

  /**
   * The log as a stream: replays after `after`, then live, forever, until the loop breaks or
   * `signal` aborts. Throws SimgateEventCursorExpiredError (the cursor was pruned),
   * SimgateTooManySubscriptionsError (the operator's open streams are at the limit), an
   * authentication error, or the last network error once `maxReconnectAttempts` is used up.
   */
  async function* subscribe(args: SubscribeArgs = {}): AsyncGenerator<SimgateEvent, void, undefined> {
    const { signal, types = null, maxReconnectAttempts = Infinity } = args;
    let cursor = args.after ?? null;
    let failures = 0;
    while (!signal?.aborted) {
      const requestId = randomId();
      let lastResponse: ResponseInfo | undefined;
      const call: CallContext = {
        onResponse: (response) => {
          lastResponse = response;
          // The stream opened: the next failure starts the backoff again from the shortest wait.
          if (response.status === 200) failures = 0;
        },
      };
      const stream = openStream(urql, { after: cursor, types: types && types.length ? types : null }, call, requestId);
      let failure: SimgateError | undefined;
      try {
        for (;;) {
          const item = await stream.next(signal);
          if ("aborted" in item) return;
          if ("end" in item) break;
          const { result } = item;
          if (result.error) {
            const error = toSimgateError(result.error, requestId, lastResponse);
            if (!reconnectable(error)) throw error;
            failure = error;
            break;
          }
          const event = result.data?.events;
          if (event && (cursor === null || after(event.sequence, cursor))) {
            cursor = event.sequence;
            yield event as SimgateEvent;
          }
        }
      } finally {
        stream.close();
      }
      // The stream failed or the server completed it (a shutdown): connect again after a wait.
      failures += 1;
      if (failures > maxReconnectAttempts) throw failure ?? new SimgateNetworkError("The event stream kept closing.", { requestId });
      try {
        await sleep(backoffDelay(failures, retry), signal);
      } catch {
        return;
      }
    }
  }

  return {
    /** One page of the log, oldest first; `after` is an Event.sequence (exclusive). */
    list,
    /** Every event after `after`, page by page. */
    iterate: list.iterate,
    /** Events into an array, up to `limit`. */
    collect: list.collect,
    subscribe,
  };
}

export type EventsApi = ReturnType<typeof eventsApi>;
export type { CallOptions };
