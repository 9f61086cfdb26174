// A second server process's scheduler: runs due jobs once against DATABASE_URL, prints the report.
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";

const app = await createApp(loadConfig(), { logger: createLogger("silent") });
try {
  const report = await app.scheduler.runOnce();
  process.stdout.write(`${JSON.stringify(report)}\n`);
} finally {
  await app.close();
}
