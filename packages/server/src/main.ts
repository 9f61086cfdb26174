// `pnpm start`: migrate the database, serve GraphQL (GraphiQL at /graphql), run the scheduler and
// deliver mail. SIGTERM / SIGINT stop it gracefully.
import { createApp, type App } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";

function stopOnSignals(app: App): void {
  let closing = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (closing) {
        // A second signal means "now": skip the drain (operators press Ctrl-C twice).
        app.logger.warn({ signal }, "second signal: exiting without finishing the drain");
        process.exit(1);
      }
      closing = true;
      app.logger.info({ signal }, "shutting down");
      app.close().then(
        () => process.exit(0),
        (err) => {
          app.logger.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  }
}

try {
  const config = loadConfig();
  const app = await createApp(config);
  // Before listening: a signal that arrives as soon as the port is open still shuts down cleanly.
  stopOnSignals(app);
  const port = await app.listen();
  app.logger.info(
    { port, metricsPort: app.metricsPort, database: app.target.provider, admin: config.SIMGATE_ADMIN_SECRET !== undefined, smtp: config.SMTP_URL !== undefined },
    `Simgate listening: GraphiQL at http://${config.HOST === "0.0.0.0" ? "localhost" : config.HOST}:${port}/graphql`,
  );
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
