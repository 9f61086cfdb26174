// The SDK sends its operations by registered hash, so it works against a server
// that requires persisted operations; against a server without the registry it falls back to the
// text once, and a mutation still runs once.
import { beforeAll, describe, expect, it } from "vitest";
import { gql } from "@urql/core";
import { persistedOperationHashes } from "../src/generated/persisted-operations.ts";
import { SimgateRequestError, type SimgateClient } from "../src/index.ts";
import type { FetchFunction } from "../src/transport/retrying-fetch.ts";
import { ok, ownSims, signUp, type TestOperator } from "./support/fixtures.ts";
import { startServer, type TestServer } from "./support/server.ts";

interface Sent {
  query?: string;
  operationName?: string;
  extensions?: { persistedQuery?: { version: number; sha256Hash: string } };
}

/** A fetch that records every request body it passes on. */
function recordingFetch(): { fetch: FetchFunction; sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    fetch: (input, init) => {
      if (typeof init?.body === "string") sent.push(JSON.parse(init.body) as Sent);
      return globalThis.fetch(input, init);
    },
  };
}

const registeredHashes = new Set(persistedOperationHashes.values());

describe("persisted operations: against a server that requires persisted operations", () => {
  let server: TestServer;
  let op: TestOperator;

  beforeAll(async () => {
    server = await startServer({ env: { SIMGATE_PERSISTED_OPERATIONS: "require", NODE_ENV: "production" } });
    op = await signUp(server);
  });

  it("queries, mutations and pagination go by hash only, and work", async () => {
    const wire = recordingFetch();
    const client: SimgateClient = server.client({ token: op.token }, { fetch: wire.fetch });
    await ownSims(server, op, 3);
    expect((await client.auth.viewer()).operatorId).toBe(op.operatorId);
    const sims = await client.sims.collect({ pageSize: 2 });
    expect(sims).toHaveLength(3);
    const updated = ok(await client.sims.update({ simId: sims[0]!.id, name: "persisted" }));
    expect(updated.name).toBe("persisted");
    expect(wire.sent.length).toBeGreaterThanOrEqual(4);
    for (const body of wire.sent) {
      expect(body.query, body.operationName).toBeUndefined();
      expect(body.extensions?.persistedQuery?.version).toBe(1);
      expect(registeredHashes.has(body.extensions!.persistedQuery!.sha256Hash)).toBe(true);
    }
  });

  it("the administrator's SDK calls work too", async () => {
    const outbox = await server.adminClient.admin.outbox({ first: 1 });
    expect(Array.isArray(outbox)).toBe(true);
  });

  it("an operator's own document through client.urql is refused with PERSISTED_QUERY_ONLY", async () => {
    const result = await op.client.urql.query(gql`query Mine { viewer { operatorId } }`, {}).toPromise();
    expect(result.data).toBeUndefined();
    expect(result.error?.graphQLErrors.map((e) => e.extensions?.code)).toEqual(["PERSISTED_QUERY_ONLY"]);
  });

  it("with persistedOperations: false the SDK sends text, and the server refuses it", async () => {
    const client = server.client({ token: op.token }, { persistedOperations: false });
    const error = await client.auth.viewer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateRequestError);
    expect((error as SimgateRequestError).code).toBe("PERSISTED_QUERY_ONLY");
  });
});

describe("persisted operations: against a server without the registry (SIMGATE_PERSISTED_OPERATIONS=off)", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ env: { SIMGATE_PERSISTED_OPERATIONS: "off" } });
  });

  it("each call is sent by hash, then once as text; a mutation runs once", async () => {
    const op = await signUp(server);
    const wire = recordingFetch();
    const client = server.client({ token: op.token }, { fetch: wire.fetch });
    expect((await client.auth.viewer()).operatorId).toBe(op.operatorId);
    ok(await client.auth.createAuthKey());
    expect(wire.sent.map((b) => (b.query === undefined ? "hash" : "text"))).toEqual(["hash", "text", "hash", "text"]);
    expect((await op.client.auth.viewer()).authKeys).toHaveLength(1);
  });
});
