// The "events on" consumers of `pnpm bench:events` in a process of their own: a webhook receiver
// answering 204 at once (counting webhook-ids) and SSE subscribers to every event. In production
// these run on the integrator's machines; here they at least do not share an event loop with
// autocannon, so a slow consumer cannot hold back the load generator and pass for a slower server.
// Driven over IPC by consumers() below.
import { fork, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { subscribeSse, type OpenSubscription } from "../../packages/server/test/support/subscriptions.ts";

type Command = { id: number; do: "subscribe"; base: string; token: string; count: number } | { id: number; do: "counts" } | { id: number; do: "unsubscribe" };
export interface Counts {
  /** Events each subscriber received. */
  seen: number[];
  /** Distinct webhook-ids and all receipts at the receiver. */
  ids: number;
  receipts: number;
  /** CPU time of this process so far, ms. */
  cpuMs: number;
}

async function child(): Promise<void> {
  const ids = new Set<string>();
  let receipts = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      ids.add(req.headers["webhook-id"] as string);
      receipts += 1;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  let subs: OpenSubscription[] = [];
  let seen: number[] = [];
  const reply = (id: number, value: unknown) => process.send!({ id, value });
  process.on("message", async (command: Command) => {
    if (command.do === "subscribe") {
      seen = Array.from({ length: command.count }, () => 0);
      for (let i = 0; i < command.count; i++) {
        const sub = await subscribeSse(command.base, `subscription { events { sequence type } }`, {}, command.token);
        subs.push(sub);
        void (async () => {
          while (await sub.next(3_600_000).catch(() => null)) seen[i]! += 1;
        })();
      }
      reply(command.id, null);
    } else if (command.do === "counts") {
      const cpu = process.cpuUsage();
      reply(command.id, { seen, ids: ids.size, receipts, cpuMs: (cpu.user + cpu.system) / 1000 } satisfies Counts);
    } else {
      await Promise.all(subs.map((s) => s.close()));
      subs = [];
      reply(command.id, null);
    }
  });
  process.send!({ ready: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` });
}

/** Starts the consumers' process; `url` is its receiver's. */
export async function consumers(): Promise<{
  url: string;
  pid: number;
  subscribe(base: string, token: string, count: number): Promise<void>;
  counts(): Promise<Counts>;
  unsubscribe(): Promise<void>;
  close(): void;
}> {
  const proc: ChildProcess = fork(import.meta.filename, ["--child"], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const url = await new Promise<string>((done, fail) => {
    proc.once("message", (m: { ready: string }) => done(m.ready));
    proc.once("exit", (code) => fail(new Error(`event consumers exited ${code}`)));
  });
  let next = 0;
  const ask = <T>(command: Omit<Command, "id"> & Record<string, unknown>) =>
    new Promise<T>((done) => {
      const id = ++next;
      const onMessage = (m: { id?: number; value: T }) => {
        if (m.id !== id) return;
        proc.off("message", onMessage);
        done(m.value);
      };
      proc.on("message", onMessage);
      proc.send({ ...command, id });
    });
  return {
    url,
    pid: proc.pid!,
    subscribe: (base, token, count) => ask({ do: "subscribe", base, token, count }),
    counts: () => ask({ do: "counts" }),
    unsubscribe: () => ask({ do: "unsubscribe" }),
    close: () => void proc.kill("SIGKILL"),
  };
}

if (process.argv.includes("--child")) await child();
