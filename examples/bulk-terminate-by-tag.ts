// Terminates every SIM that carries a tag, in batches of up to 100 (the server's largest page): turns termination
// protection OFF where it is ON (S6), then terminates the batch with one terminateSims call,
// printing progress as it goes. Safe to run again: terminated SIMs no longer match.
//
//   SIMGATE_URL=https://simgate.example.com/graphql \
//   SIMGATE_AUTH_KEY_ID=... SIMGATE_AUTH_KEY=... \
//   node --import tsx examples/bulk-terminate-by-tag.ts <tag-name> <tag-value> [--dry-run]
//
// In your own project, import from "@simgate/sdk" instead of the relative path.
import { pathToFileURL } from "node:url";
import { createSimgateClient, type Page, type Sim, type SimgateClient, type SimStatus } from "../packages/sdk/src/index.ts";

/** Statuses a SIM can be terminated from (S3): not TERMINATED, not TRANSFERRING. */
const TERMINABLE: SimStatus[] = ["READY", "ACTIVE", "INACTIVE", "STANDBY", "SUSPENDED"];
/** One listing page (the server caps `first` at 100) is one terminateSims call. */
const BATCH_SIZE = 100;
/** Parallel protection changes per batch: enough to be quick, few enough to be polite. */
const CONCURRENCY = 8;

export interface TerminateByTagSummary {
  matched: number;
  terminated: number;
  /** SIM ID → why it was not terminated. */
  failed: Map<string, string>;
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function inPool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function terminateByTag(
  client: SimgateClient,
  tag: { name: string; value: string },
  options: { dryRun?: boolean; log?: (line: string) => void } = {},
): Promise<TerminateByTagSummary> {
  const log = options.log ?? console.log;
  const filter = { tag: { name: tag.name, value: tag.value, match: "EXACT" as const }, status: TERMINABLE };
  const orderBy = { field: "IMSI" as const };
  const summary: TerminateByTagSummary = { matched: 0, terminated: 0, failed: new Map() };

  const { totalCount } = await client.sims.list({ filter, first: 1 });
  log(`${totalCount} SIM(s) tagged ${tag.name}=${tag.value} can be terminated${options.dryRun ? " (dry run: nothing changes)" : ""}.`);

  // Keyset cursors stay valid while terminated SIMs leave the filter, so paging by cursor sees each SIM once.
  let after: string | null = null;
  for (let batchNo = 1; ; batchNo += 1) {
    const page: Page<Sim> = await client.sims.list({ filter, orderBy, first: BATCH_SIZE, after });
    if (page.nodes.length === 0) break;
    summary.matched += page.nodes.length;

    if (!options.dryRun) {
      const ready: string[] = page.nodes.filter((s) => !s.terminationProtected).map((s) => s.id);
      await inPool(
        page.nodes.filter((s) => s.terminationProtected),
        CONCURRENCY,
        async (sim) => {
          const result = await client.sims.setProtection({ simId: sim.id, enabled: false });
          if (result.ok) ready.push(sim.id);
          else summary.failed.set(sim.id, result.userErrors.map((e) => e.code).join(","));
        },
      );
      if (ready.length > 0) {
        const result = await client.sims.terminateMany(ready);
        if (!result.ok) throw new Error(`terminateSims refused the batch: ${result.userErrors.map((e) => `${e.code}: ${e.message}`).join("; ")}`);
        for (const outcome of result.data) {
          if (outcome.userErrors.length === 0) summary.terminated += 1;
          else summary.failed.set(outcome.simId, outcome.userErrors.map((e) => e.code).join(","));
        }
      }
    }
    log(`batch ${batchNo}: ${page.nodes.length} SIM(s); ${summary.terminated} terminated, ${summary.failed.size} failed, ${summary.matched}/${totalCount} seen`);
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }

  for (const [simId, codes] of summary.failed) log(`  not terminated: ${simId} (${codes})`);
  log(`Done: ${summary.terminated} terminated, ${summary.failed.size} failed.`);
  return summary;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const dryRun = args.includes("--dry-run");
  const [name, value] = args.filter((a) => a !== "--dry-run");
  const { SIMGATE_URL: url, SIMGATE_AUTH_KEY_ID: id, SIMGATE_AUTH_KEY: secret } = process.env;
  if (!name || value === undefined || !url || !id || !secret) {
    console.error("usage: SIMGATE_URL=… SIMGATE_AUTH_KEY_ID=… SIMGATE_AUTH_KEY=… bulk-terminate-by-tag.ts <tag-name> <tag-value> [--dry-run]");
    return 2;
  }
  // The client signs in with the auth key, keeps the token fresh and retries dropped connections.
  const client = createSimgateClient({ url, authKey: { id, secret } }, { retry: { onRetry: (e) => console.error(`retrying after ${e.reason} (attempt ${e.attempt})`) } });
  const summary = await terminateByTag(client, { name, value }, { dryRun });
  return summary.failed.size > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
      process.exit(1);
    },
  );
}
