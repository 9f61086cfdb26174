// Secrets handed to a client (bearer tokens, auth-key secrets) are never stored readable: not in
// the idempotency records that replay an answer to a retry, nor anywhere else in the database.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { rowIdOf } from "@simgate/schema/ids/global-id";
import { signUp, uniqueEmail } from "./support/accounts.ts";
import { findStored, tableNames } from "./support/database-scan.ts";
import { ADMIN_SECRET, startHarness } from "./support/harness.ts";

const h = await startHarness();

interface Sent {
  body: { query: string; variables?: Record<string, unknown> };
  headers: Record<string, string>;
}

async function send({ body, headers }: Sent) {
  const response = await h.raw({ body, headers });
  return { status: response.status, replayed: response.headers.get("idempotent-replayed"), text: await response.text() };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("secrets handed to a client are not stored readable", () => {
  it("P4: signUp, authenticate (password and auth key) and createAuthKey run with an Idempotency-Key leave no returned secret in any table, and their retries still get the same answer", async () => {
    const email = uniqueEmail("sealed");
    const password = "correct horse battery staple";
    const sent: Record<string, Sent> = {};
    const answers: Record<string, string> = {};
    const secrets: Record<string, string> = {};
    const run = async (label: string, request: Sent) => {
      sent[label] = request;
      const first = await send(request);
      expect(first.status, label).toBe(200);
      answers[label] = first.text;
      return JSON.parse(first.text).data;
    };

    const signed = await run("signUp", {
      body: { query: `mutation($i: SignUpInput!) { signUp(input: $i) { token userErrors { code } } }`, variables: { i: { email, password, name: "Sealed" } } },
      headers: { "idempotency-key": "sealed-sign-up" },
    });
    secrets["signUp token"] = signed.signUp.token;
    const byPassword = await run("authenticate by password", {
      body: { query: `mutation($i: AuthenticateInput!) { authenticate(input: $i) { token userErrors { code } } }`, variables: { i: { email, password } } },
      headers: { "idempotency-key": "sealed-sign-in" },
    });
    secrets["authenticate token"] = byPassword.authenticate.token;
    const created = await run("createAuthKey", {
      body: { query: `mutation { createAuthKey { authKeyId authKey userErrors { code } } }` },
      headers: { ...bearer(byPassword.authenticate.token), "idempotency-key": "sealed-auth-key" },
    });
    secrets["auth key secret"] = created.createAuthKey.authKey;
    const byKey = await run("authenticate by auth key", {
      body: {
        query: `mutation($i: AuthenticateInput!) { authenticate(input: $i) { token userErrors { code } } }`,
        variables: { i: { authKeyId: created.createAuthKey.authKeyId, authKey: created.createAuthKey.authKey } },
      },
      headers: { "idempotency-key": "sealed-key-sign-in" },
    });
    secrets["auth-key sign-in token"] = byKey.authenticate.token;
    for (const [label, secret] of Object.entries(secrets)) expect(secret, label).toMatch(/.{20,}/);

    // The plain digest of a body holding a password would let a database reader test guesses.
    const bodyDigests = Object.fromEntries(
      Object.entries(sent).map(([label, r]) => [`digest of the ${label} body`, createHash("sha256").update(JSON.stringify(r.body)).digest("hex")]),
    );
    expect(await tableNames(h)).toEqual(expect.arrayContaining(["IdempotencyRecord", "Session", "AuthKey", "AuditLogEntry", "OutboxMessage"]));
    expect(await findStored(h, { ...secrets, ...bodyDigests, password })).toEqual([]);
    expect(await h.app.db.idempotencyRecord.count({ where: { status: { not: null } } })).toBe(4);

    // Retries with the same key (and the same Authorization) get the first answer back, secrets included.
    for (const [label, request] of Object.entries(sent)) {
      const replay = await send(request);
      expect([replay.status, replay.replayed, replay.text], label).toEqual([200, "true", answers[label]]);
    }
    expect(await h.app.db.authKey.count()).toBe(1);
  });

  it("P4: the stored answer of an administrator's read that carries mailed tokens is not readable in the database either", async () => {
    const op = await signUp(h);
    const query = { query: `query($to: String) { adminOutbox(to: $to, first: 1) { token } }`, variables: { to: op.email } };
    const first = await send({ body: query, headers: { ...bearer(ADMIN_SECRET), "idempotency-key": "sealed-outbox-read" } });
    const token = JSON.parse(first.text).data.adminOutbox[0].token as string;
    expect(token).toMatch(/.{20,}/);
    const records = await h.app.db.idempotencyRecord.findMany({ where: { status: { not: null } } });
    expect(records.filter((r) => r.body?.includes(token) || r.body?.includes(token.slice(-16)))).toEqual([]);
    const replay = await send({ body: query, headers: { ...bearer(ADMIN_SECRET), "idempotency-key": "sealed-outbox-read" } });
    expect([replay.replayed, replay.text]).toEqual(["true", first.text]);
  });

  it("P4: a stored answer altered in the database is not replayed (500 IDEMPOTENCY_RECORD_UNREADABLE), and the request does not run again", async () => {
    const op = await signUp(h);
    const request: Sent = { body: { query: `mutation { createAuthKey { authKey } }` }, headers: { ...bearer(op.token), "idempotency-key": "sealed-tamper" } };
    expect((await send(request)).status).toBe(200);
    const record = (await h.app.db.idempotencyRecord.findMany({ where: { status: { not: null } }, orderBy: { createdAt: "desc" }, take: 1 }))[0]!;
    const body = record.body!;
    const flipped = body.slice(0, -2) + (body.at(-2) === "A" ? "B" : "A") + body.at(-1);
    await h.app.db.idempotencyRecord.update({ where: { id: record.id }, data: { body: flipped } });
    const replay = await send(request);
    expect([replay.status, replay.replayed, JSON.parse(replay.text).errors[0].extensions.code]).toEqual([500, null, "IDEMPOTENCY_RECORD_UNREADABLE"]);
    expect(await h.app.db.authKey.count({ where: { operatorId: rowIdOf("Operator", op.id)! } })).toBe(1);
  });
});
