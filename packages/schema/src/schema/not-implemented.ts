import { GraphQLError } from "graphql";

/** For contract fields a later piece of work implements: a clear error instead of a wrong answer. */
export function notImplemented(what: string): never {
  throw new GraphQLError(`${what} is not implemented yet.`, { extensions: { code: "NOT_IMPLEMENTED" } });
}
