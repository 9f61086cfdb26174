// A second server process's scheduler: starts against DATABASE_URL, says "ready", waits for a line
// on stdin (so several processes can be started first and then run together), runs due jobs once
// and prints the report.
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";

// The parent's injected clock, when it passes one: the run happens at that instant.
const at = process.env.SIMGATE_TEST_NOW;
const clock = at ? { now: () => new Date(at) } : undefined;
const app = await createApp(loadConfig(), { logger: createLogger("silent"), clock });
try {
  process.stdout.write("ready\n");
  await new Promise((go) => process.stdin.once("data", go));
  process.stdin.pause();
  const report = await app.scheduler.runOnce();
  process.stdout.write(`${JSON.stringify(report)}\n`);
} finally {
  await app.close();
}
