// GraphQL over SSE: a subscription's stream writes each event as a chunk of its own, and a
// wake-up hands every stream all the events committed since the last one (often ten or more at
// once under load). Written one by one, each chunk is a system call here and a packet for the
// subscriber to read. The chunks written in one turn of the event loop leave together instead: the
// response's socket is corked at the turn's first write and uncorked when the turn is over (a few
// microseconds later, never held for longer). graphql-ws is left as it is: it waits for each
// message's write to complete before sending the next, so its messages never share a turn.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** Whether the client asked for an event stream (yoga answers such a request with SSE). */
export function wantsEventStream(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  return typeof accept === "string" && accept.includes("text/event-stream");
}

/**
 * Makes the writes of one event-loop turn on `res` leave in one socket write. The socket itself is
 * corked and uncorked: a response finished within the turn lets go of its socket (keep-alive), and
 * uncorking through the response then would leave the socket corked.
 */
export function coalesceWritesPerTurn(res: ServerResponse): void {
  const write = res.write;
  let corked: Socket | null = null;
  const uncork = () => {
    corked?.uncork();
    corked = null;
  };
  res.write = function (this: ServerResponse, ...args: unknown[]) {
    const socket = res.socket;
    if (!corked && socket && !res.writableEnded) {
      corked = socket;
      socket.cork();
      setImmediate(uncork);
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as ServerResponse["write"];
}
