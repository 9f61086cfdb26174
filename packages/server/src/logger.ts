import pino, { type Logger } from "pino";
import { currentRequestId } from "./request-context.ts";

export type { Logger };

/** Structured JSON logs; every line written during a request carries its request ID. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "simgate" },
    timestamp: pino.stdTimeFunctions.isoTime,
    // The ID of the request whose async work writes the line (also sent back as x-request-id).
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
