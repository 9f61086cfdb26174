import pino, { type Logger } from "pino";

export type { Logger };

/** Structured JSON logs; every line written during a request carries its request ID. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: "simgate" }, timestamp: pino.stdTimeFunctions.isoTime });
}
