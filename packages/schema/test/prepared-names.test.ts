// PostgreSQL's prepared statements (db/sql-reader.ts): a text with parameters keeps one name;
// texts that vary with a list's length, and texts without parameters, run unnamed.
import { describe, expect, it } from "vitest";
import { preparedName } from "../src/db/sql-reader.ts";

describe("prepared statement names", () => {
  it("a text with parameters gets a name, the same one every time; another text another name", () => {
    const a = preparedName(`SELECT "id" FROM "Sim" WHERE "id" = $1 AND "operatorId" = $2`);
    expect(a).toMatch(/^simgate_\d+$/);
    expect(preparedName(`SELECT "id" FROM "Sim" WHERE "id" = $1 AND "operatorId" = $2`)).toBe(a);
    const b = preparedName(`SELECT "name" FROM "Sim" WHERE "id" = $1`);
    expect(b).toMatch(/^simgate_\d+$/);
    expect(b).not.toBe(a);
  });

  it("IN lists (one placeholder per item, a text per length) and texts without parameters stay unnamed", () => {
    expect(preparedName(`SELECT "public"."Sim"."id" FROM "public"."Sim" WHERE "public"."Sim"."id" IN ($1,$2,$3) OFFSET $4`)).toBeUndefined();
    expect(preparedName(`SELECT d."id" FROM "WebhookDelivery" d WHERE d."endpointId" NOT IN ($3, $4) AND d."id" = $1`)).toBeUndefined();
    expect(preparedName(`COMMIT`)).toBeUndefined();
    // One value in a list is bound like any other parameter: its text does not vary.
    expect(preparedName(`SELECT "id" FROM "Sim" WHERE "id" IN ($1) OFFSET $2`)).toMatch(/^simgate_\d+$/);
  });
});
