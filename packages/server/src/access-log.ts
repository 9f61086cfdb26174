// Access log at debug level: one line when a GraphQL request arrives and one when it is answered,
// both carrying the request ID (logger mixin). Debug, so production throughput is not spent on it
// unless LOG_LEVEL=debug asks for it.
import type { Plugin } from "graphql-yoga";
import type { Logger } from "./logger.ts";

export function useAccessLog(logger: Logger): Plugin {
  const started = new WeakMap<Request, number>();
  return {
    onRequest({ request }) {
      if (!logger.isLevelEnabled("debug")) return;
      started.set(request, performance.now());
      logger.debug({ method: request.method, path: new URL(request.url).pathname }, "request received");
    },
    onResponse({ request, response }) {
      const at = started.get(request);
      if (at === undefined) return;
      logger.debug({ status: response.status, durationMs: Math.round(performance.now() - at) }, "request completed");
    },
  };
}
