// GraphQL over SSE: a subscription's stream writes each event as a chunk of its own, and a
// wake-up hands every stream all the events committed since the last one (often ten or more at
// once under load). Written one by one, each chunk is a system call here and a packet for the
// subscriber to read. The chunks written in one turn of the event loop leave together instead: the
// response is corked at the turn's first write and uncorked when the turn is over (a few
// microseconds later, never held for longer).
import type { IncomingMessage, ServerResponse } from "node:http";

/** Whether the client asked for an event stream (yoga answers such a request with SSE). */
export function wantsEventStream(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  return typeof accept === "string" && accept.includes("text/event-stream");
}

/** Makes the writes of one event-loop turn on `res` leave in one socket write. */
export function coalesceWritesPerTurn(res: ServerResponse): void {
  const write = res.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    res.uncork();
  };
  res.write = function (this: ServerResponse, ...args: Parameters<ServerResponse["write"]>) {
    if (!corked && !res.writableEnded) {
      corked = true;
      res.cork();
      setImmediate(uncork);
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as ServerResponse["write"];
}
