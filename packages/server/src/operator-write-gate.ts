// Fair use of the connection pool: one operator's writes (each a transaction that may wait on the
// operator's row lock) run at most `perOperator` at a time in this process; the rest queue, and a
// write that waited `maxQueueMs` (0: any wait) is refused as OPERATOR_BUSY before it touched the database. With
// several instances each admits its own share; the transaction and lock timeouts bound the rest.
import { Semaphore } from "async-mutex";
import { operatorBusyError, type WriteGate } from "@simgate/schema/db/write-limits";

export interface WriteGateLimits {
  perOperator: number;
  maxQueueMs: number;
}

export function createOperatorWriteGate({ perOperator, maxQueueMs }: WriteGateLimits): WriteGate {
  // Only operators with writes in flight or queued have an entry.
  const gates = new Map<string, Semaphore>();
  const releaseOf = (key: string, semaphore: Semaphore, release: () => void) => () => {
    release();
    if (semaphore.getValue() === perOperator) gates.delete(key);
  };
  return {
    async run(key, work) {
      let semaphore = gates.get(key);
      if (!semaphore) gates.set(key, (semaphore = new Semaphore(perOperator)));
      // 0: never wait (a timer would not do: a write may finish without yielding to timers).
      if (maxQueueMs === 0 && semaphore.isLocked()) throw operatorBusyError();
      const ticket = semaphore.acquire();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((done) => (timer = setTimeout(() => done("timeout"), maxQueueMs)));
      const turn = await Promise.race([ticket, timedOut]);
      clearTimeout(timer);
      if (turn === "timeout") {
        // Still queued: give the turn back as soon as it comes.
        void ticket.then(([, release]) => releaseOf(key, semaphore, release)());
        throw operatorBusyError();
      }
      const done = releaseOf(key, semaphore, turn[1]);
      try {
        // Let pending I/O in first: on SQLite a transaction runs as one chain of promise jobs, so
        // queued writes handed the turn one after another would otherwise never let a read through.
        await new Promise((resolve) => setImmediate(resolve));
        return await work();
      } finally {
        done();
      }
    },
  };
}
