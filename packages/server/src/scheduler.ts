// Applies due jobs (S7 expiries, T10 transfer expirations, E6 recovery requests) every few seconds. Safe with several
// servers on one database: each job is claimed with a conditional update (see jobs/due-jobs.ts).
import type { Db, Provider } from "@simgate/schema/db/database";
import type { Clock } from "@simgate/schema/domain/clock";
import { runDueJobs, type DueJobReport } from "@simgate/schema/jobs/due-jobs";
import type { Logger } from "./logger.ts";

export interface SchedulerOptions {
  provider: Provider;
  intervalMs: number;
  terminatedRetentionDays: number;
  /** Server-side chores on the same beat (forgetting old idempotency records). */
  housekeeping?: ((now: Date) => Promise<unknown>)[];
  /** Sees every run's report (metrics). */
  onReport?: (report: DueJobReport) => void;
}

export class DueJobScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: SchedulerOptions,
  ) {}

  start(): void {
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      await this.runOnce().catch((err) => this.logger.error({ err }, "due jobs failed"));
      if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops scheduling and waits for a run in progress: no job is left half done. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => {});
  }

  runOnce(): Promise<DueJobReport> {
    const now = this.clock.now();
    const run = runDueJobs(this.db, now, {
      provider: this.options.provider,
      terminatedRetentionDays: this.options.terminatedRetentionDays,
    }).then(async (report) => {
      this.options.onReport?.(report);
      for (const chore of this.options.housekeeping ?? []) await chore(now);
      if (report.expiriesApplied + report.transfersExpired + report.accountRecoveries + report.groupMembershipsEnded > 0) this.logger.info(report, "due jobs applied");
      return report;
    });
    this.running = run;
    return run;
  }
}
