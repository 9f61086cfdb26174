// Sends what the outbox holds over SMTP. Each message is claimed with a conditional update
// (a lease), so several server instances on one database never send the same message at once.
import nodemailer, { type Transporter } from "nodemailer";
import type { Db } from "@simgate/schema/db/database";
import type { Clock } from "@simgate/schema/domain/clock";
import type { Logger } from "../logger.ts";

export interface DeliveryOptions {
  smtpUrl: string;
  from: string;
  intervalMs: number;
  maxAttempts: number;
  batchSize?: number;
  /** Sees every delivery attempt's result (metrics). */
  onResult?: (result: "sent" | "failed") => void;
}

const LEASE_MS = 60_000;

const REDACTED_TOKEN = "[one-time token removed after delivery]";

function withoutToken(message: { body: string; token: string | null }): { body?: string; token?: null } {
  return message.token ? { body: message.body.replaceAll(message.token, REDACTED_TOKEN), token: null } : {};
}

export class OutboxDeliverer {
  private readonly transport: Transporter;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: DeliveryOptions,
  ) {
    this.transport = nodemailer.createTransport(options.smtpUrl);
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      await this.deliverDue().catch((err) => this.logger.error({ err }, "outbox delivery failed"));
      if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops the loop and waits for a delivery in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.transport.close();
  }

  /** Delivers every due message once; returns how many were sent. */
  deliverDue(): Promise<number> {
    this.running = this.run();
    return this.running;
  }

  private async run(): Promise<number> {
    const now = this.clock.now();
    const due = await this.db.outboxMessage.findMany({
      where: { deliveredAt: null, nextAttemptAt: { lte: now }, attempts: { lt: this.options.maxAttempts } },
      orderBy: { createdAt: "asc" },
      take: this.options.batchSize ?? 50,
    });
    let sent = 0;
    for (const message of due) {
      const claimed = await this.db.outboxMessage.updateMany({
        where: { id: message.id, deliveredAt: null, nextAttemptAt: message.nextAttemptAt },
        data: { nextAttemptAt: new Date(now.getTime() + LEASE_MS), attempts: { increment: 1 } },
      });
      if (claimed.count !== 1) continue; // another instance has it
      try {
        await this.transport.sendMail({
          from: this.options.from,
          to: JSON.parse(message.to) as string[],
          cc: JSON.parse(message.cc) as string[],
          subject: message.subject,
          text: message.body,
          headers: { "X-Simgate-Kind": message.kind, "X-Simgate-Message-Id": message.id },
        });
        // Once sent, the one-time token has left with the mail: the outbox keeps the message
        // (what was sent, when, to whom) but not the credential, in its column or in the text.
        await this.db.outboxMessage.update({
          where: { id: message.id },
          data: { deliveredAt: this.clock.now(), lastError: null, ...withoutToken(message) },
        });
        sent += 1;
        this.options.onResult?.("sent");
      } catch (err) {
        // Exponential backoff: 2, 4, 8 … seconds, at most an hour.
        const delay = Math.min(3_600_000, 2 ** (message.attempts + 1) * 1000);
        await this.db.outboxMessage.update({
          where: { id: message.id },
          data: { nextAttemptAt: new Date(this.clock.now().getTime() + delay), lastError: String((err as Error).message).slice(0, 500) },
        });
        this.options.onResult?.("failed");
        this.logger.warn({ err, outboxId: message.id }, "mail delivery failed; will retry");
      }
    }
    return sent;
  }
}
