// The lock is a service (db/operator-lock.ts); resolvers that take it directly import it here.
export { lockOperator } from "../db/operator-lock.ts";
