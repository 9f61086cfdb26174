// V5: webhook attempts are signed and sent from a worker thread of their own (sender-thread.ts).
// Claims and results stay with the webhook worker on the main thread; the thread opens the secret,
// signs and does the HTTP part, which on the thread that serves requests cost about a tenth of the
// write that caused the event (bench/RESULTS.md). One thread per server, started on first use;
// if it ever stops, the attempts it held fail (and are retried on V5's schedule) and the next
// attempt starts a new one.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { AttemptResult } from "@simgate/schema/webhooks/deliveries";
import type { Logger } from "../logger.ts";

export interface SenderSettings {
  timeoutMs: number;
  allowPrivate: boolean;
  /** Idle connections to a receiver are kept this long (post.ts); 0: a new connection each time. */
  keepAliveMs: number;
  /** V6: opens the endpoints' sealed signing secrets (secret-box.ts). */
  encryptionKey: Buffer;
}

/** One attempt: what to POST where, and what signs it. */
export interface Attempt {
  url: string;
  endpointId: string;
  /** The endpoint's sealed secrets that sign this attempt (V6: the previous one too while it lasts). */
  sealedSecrets: string[];
  /** webhook-id. */
  messageId: string;
  /** The signing time, ms since the epoch (webhook-timestamp). */
  at: number;
  body: string;
}

export interface SendJob extends Attempt {
  id: number;
}

/**
 * Where the thread's module is. The compiled build (scripts/server-build.mjs) bundles it beside
 * the server and defines this as its path relative to this source file; from sources, the thread
 * loads the TypeScript module through tsx, as the process itself does.
 */
declare const SIMGATE_SENDER_THREAD_BUNDLE: string | undefined;

function threadModule(): { entry: URL | string; eval: boolean } {
  if (typeof SIMGATE_SENDER_THREAD_BUNDLE === "string") return { entry: new URL(SIMGATE_SENDER_THREAD_BUNDLE, import.meta.url), eval: false };
  // Loader hooks given to a worker thread by `--import tsx` do not reach its entry on Node.js 20,
  // so the thread imports the module through tsx's API instead.
  // (require.resolve finds the API's CommonJS build; the ES module build sits beside it.)
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href;
  const module = new URL("./sender-thread.ts", import.meta.url).href;
  return { entry: `import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${JSON.stringify(module)}, ${JSON.stringify(module)}));`, eval: true };
}

/** The thread's heap is small: it holds requests in flight and connection pools, nothing more. */
const THREAD_HEAP_MB = 64;

export class WebhookSender {
  private thread: Worker | null = null;
  private readonly pending = new Map<number, (result: AttemptResult) => void>();
  private nextId = 1;
  private queued: SendJob[] = [];
  private closed = false;

  constructor(
    private readonly settings: SenderSettings,
    private readonly logger: Logger,
  ) {}

  /** Signs and POSTs one attempt; never rejects (a failure is an AttemptResult). */
  send(attempt: Attempt): Promise<AttemptResult> {
    if (this.closed) return Promise.resolve({ ok: false, status: null, error: "The webhook sender stopped." });
    const id = this.nextId++;
    const answered = new Promise<AttemptResult>((resolve) => this.pending.set(id, resolve));
    // Attempts started in the same turn (one claim's batch) travel in one message.
    if (this.queued.length === 0) queueMicrotask(() => this.flush());
    this.queued.push({ id, ...attempt });
    return answered;
  }

  /** Ends the thread (after the attempts in flight were answered: the webhook worker waits for them). */
  async close(): Promise<void> {
    this.closed = true;
    this.queued = [];
    const thread = this.thread;
    this.thread = null;
    if (thread) await thread.terminate();
    this.failPending("The webhook sender stopped.");
  }

  private flush(): void {
    const jobs = this.queued;
    this.queued = [];
    if (jobs.length === 0 || this.closed) return;
    this.started().postMessage(jobs);
  }

  private started(): Worker {
    if (this.thread) return this.thread;
    const { entry, eval: evaluate } = threadModule();
    // Nothing of the process's own flags (preloaded modules, profilers) is the thread's business.
    const thread = new Worker(entry, { eval: evaluate, execArgv: [], workerData: this.settings, resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB } });
    // The thread never keeps the process alive: stopping the server closes it.
    thread.unref();
    thread.on("message", (answers: { id: number; result: AttemptResult }[]) => {
      for (const { id, result } of answers) {
        const resolve = this.pending.get(id);
        this.pending.delete(id);
        resolve?.(result);
      }
    });
    thread.on("error", (err) => this.logger.error({ err }, "webhook sender thread failed"));
    thread.on("exit", (code) => {
      if (this.thread !== thread) return;
      this.thread = null;
      this.logger.error({ code }, "webhook sender thread exited: the attempts it held are retried");
      this.failPending("The webhook sender stopped during the attempt.");
    });
    this.thread = thread;
    return thread;
  }

  private failPending(error: string): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const resolve of pending) resolve({ ok: false, status: null, error });
  }
}
