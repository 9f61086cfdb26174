// A refusal ends the work of a mutation with user errors: the transaction rolls back and the
// errors come back as `userErrors` (audit/audited.ts). Services throw it; they need
// nothing from GraphQL to do so.
import type { UserError } from "../domain/user-error.ts";

export class Refusal extends Error {
  constructor(readonly errors: UserError[]) {
    super(`refused: ${errors.map((e) => e.code).join(", ")}`);
  }
}

/** Ends the mutation with these user errors; everything it wrote is rolled back. */
export function refuse(...errors: UserError[]): never {
  throw new Refusal(errors);
}

/** Refuses when there is anything to refuse. */
export function refuseIf(errors: (UserError | null | undefined)[]): void {
  const real = errors.filter((e): e is UserError => !!e);
  if (real.length > 0) throw new Refusal(real);
}
