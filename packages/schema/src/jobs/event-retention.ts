// V2: the scheduler's event-retention job (run with the server's housekeeping, every instance;
// concurrent runs are safe, see events/retention.ts).
export { pruneEvents, type PruneOptions } from "../events/retention.ts";
