// GraphQL over SSE: a subscription's stream writes each event as a chunk of its own, and a
// wake-up hands every stream all the events committed since the last one (often ten or more at
// once under load). Written one by one, each chunk is a system call here and a packet for the
// subscriber to read. The chunks written in one turn of the event loop leave together instead: the
// response is corked at the turn's first write and uncorked when the turn is over (a few
// microseconds later, never held for longer). graphql-ws is left as it is: it waits for each
// message's write to complete before sending the next, so its messages never share a turn.
import type { IncomingMessage } from "node:http";

/** Whether the client asked for an event stream (yoga answers such a request with SSE). */
export function wantsEventStream(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  return typeof accept === "string" && accept.includes("text/event-stream");
}

/** What can be corked: an HTTP response, a socket. */
interface Corkable {
  write: (...args: any[]) => boolean;
  cork(): void;
  uncork(): void;
  readonly writableEnded: boolean;
}

/** Makes the writes of one event-loop turn on `out` leave in one socket write. */
export function coalesceWritesPerTurn(out: Corkable): void {
  const write = out.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    out.uncork();
  };
  out.write = function (this: Corkable, ...args: unknown[]) {
    if (!corked && !out.writableEnded) {
      corked = true;
      out.cork();
      setImmediate(uncork);
    }
    return write.apply(this, args);
  };
}
