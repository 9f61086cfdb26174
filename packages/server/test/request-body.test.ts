// What a POST to /graphql may carry: JSON only (forms and other simple bodies are how another web
// page drives a visitor's browser: CSRF), and at most SIMGATE_MAX_BODY_BYTES, refused before the
// body is parsed and without reading past the limit, in-process and over a real socket.
import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { startHarness, type Harness } from "./support/harness.ts";

const h = await startHarness();
const port = await h.app.listen();
const MiB = 1_048_576;

const signUpMutation = (email: string) =>
  `mutation { signUp(input: { name: "csrf", email: "${email}", password: "long enough pw" }) { userErrors { code } } }`;
const accountsWith = (email: string) => h.app.db.emailAddress.count({ where: { address: email } });

type ErrorBody = { errors?: { message: string; extensions?: { code?: string } }[]; data?: unknown };

async function send(harness: Harness, body: BodyInit | undefined, headers: Record<string, string>, init: RequestInit = {}): Promise<Response> {
  return harness.app.handle(new Request("http://simgate.test/graphql", { method: "POST", headers, body, ...init, duplex: "half" } as RequestInit));
}

/** A body that counts what the server pulled from it (at most `total` bytes, so a server that reads it all still ends). */
function countingBody(chunkBytes: number, total = 16 * 1_048_576) {
  const pulled = { bytes: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.bytes >= total) return controller.close();
      pulled.bytes += chunkBytes;
      controller.enqueue(new TextEncoder().encode(" ".repeat(chunkBytes)));
    },
  }, { highWaterMark: 0 }); // nothing is pulled until the server reads
  return { stream, pulled };
}

/**
 * Uploads over a raw socket, at the pace the server reads (backpressure), until the server closes
 * the connection or `capBytes` are sent. Reports the answer and whether the server cut the upload.
 */
function upload(headers: Record<string, string>, capBytes: number): Promise<{ status?: number; body: string; sent: number; cut: boolean }> {
  return new Promise((done) => {
    let status: number | undefined;
    let body = "";
    let sent = 0;
    let cut = false;
    const req = httpRequest({ host: "127.0.0.1", port, path: "/graphql", method: "POST", headers });
    req.on("response", (res) => {
      status = res.statusCode;
      res.on("data", (c: Buffer) => (body += c.toString()));
    });
    req.on("error", () => (cut = true));
    req.on("close", () => done({ status, body, sent, cut }));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (sent < capBytes && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

describe("request body limit (SIMGATE_MAX_BODY_BYTES, default 1 MiB)", () => {
  it("a declared Content-Length over 1 MiB is refused with 413 PAYLOAD_TOO_LARGE before a byte is read", async () => {
    const { stream, pulled } = countingBody(1024, MiB + 1);
    const res = await send(h, stream, { "content-type": "application/json", "content-length": String(MiB + 1) });
    expect(res.status).toBe(413);
    const body = (await res.json()) as ErrorBody;
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(["PAYLOAD_TOO_LARGE"]);
    expect(body.errors?.[0]?.message).toMatch(/limited to 1048576 bytes/);
    expect(pulled.bytes).toBe(0);
  });

  it("a body without Content-Length is read only until it passes 1 MiB, then refused with 413", async () => {
    const { stream, pulled } = countingBody(64 * 1024);
    const res = await send(h, stream, { "content-type": "application/json" });
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorBody).errors?.[0]?.extensions?.code).toBe("PAYLOAD_TOO_LARGE");
    // 16 MiB were on offer: the server stopped at the limit (plus what the stream queued ahead).
    expect(pulled.bytes).toBeLessThanOrEqual(MiB + 3 * 64 * 1024);
  });

  it("a JSON body of exactly 1 MiB is accepted; one byte more is refused and runs nothing", async () => {
    const email = "limit-edge@example.com";
    const document = JSON.stringify({ query: signUpMutation(email) });
    const padded = (bytes: number) => document.slice(0, -1) + " ".repeat(bytes - document.length) + "}";
    const over = await send(h, padded(MiB + 1), { "content-type": "application/json" });
    expect(over.status).toBe(413);
    expect(await accountsWith(email)).toBe(0);
    const at = await send(h, padded(MiB), { "content-type": "application/json" });
    expect(at.status).toBe(200);
    expect(((await at.json()) as ErrorBody).errors).toBeUndefined();
    expect(await accountsWith(email)).toBe(1);
  });

  it("an oversized body with an Idempotency-Key is refused before the key is recorded", async () => {
    const before = await h.app.db.idempotencyRecord.count();
    const { stream } = countingBody(64 * 1024);
    const res = await send(h, stream, { "content-type": "application/json", "idempotency-key": "oversized-1" });
    expect(res.status).toBe(413);
    expect(await h.app.db.idempotencyRecord.count()).toBe(before);
  });

  it("over a socket: a declared 64 MiB upload gets 413 and the connection is closed, not drained", async () => {
    const result = await upload({ "content-type": "application/json", "content-length": String(64 * MiB) }, 64 * MiB);
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toMatchObject({ errors: [{ extensions: { code: "PAYLOAD_TOO_LARGE" } }] });
    expect(result.cut).toBe(true);
    expect(result.sent).toBeLessThan(64 * MiB);
  });

  it("over a socket: an endless chunked upload gets 413 and the connection is closed once it passes the limit", async () => {
    const result = await upload({ "content-type": "application/json", "transfer-encoding": "chunked" }, 64 * MiB);
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toMatchObject({ errors: [{ extensions: { code: "PAYLOAD_TOO_LARGE" } }] });
    expect(result.cut).toBe(true);
    expect(result.sent).toBeLessThan(64 * MiB);
  });

  it("the limit is configurable and validated at start", async () => {
    expect(loadConfig({}).SIMGATE_MAX_BODY_BYTES).toBe(MiB);
    expect(() => loadConfig({ SIMGATE_MAX_BODY_BYTES: "10" })).toThrow(/SIMGATE_MAX_BODY_BYTES/);
    const small = await startHarness({ env: { SIMGATE_MAX_BODY_BYTES: "2048" } });
    const res = await send(small, JSON.stringify({ query: `{ __typename }${" ".repeat(2048)}` }), { "content-type": "application/json" });
    expect(res.status).toBe(413);
    expect((await small.ok(`{ __typename }`)).__typename).toBe("Query");
  });
});

describe("POST bodies must be JSON (CSRF)", () => {
  const email = (n: string) => `csrf-${n}@example.com`;
  const form = (e: string) => new URLSearchParams({ query: signUpMutation(e) }).toString();
  const multipart = (e: string) => {
    const data = new FormData();
    data.set("operations", JSON.stringify({ query: signUpMutation(e) }));
    data.set("map", "{}");
    return data;
  };
  const json = (e: string) => JSON.stringify({ query: signUpMutation(e) });
  const bytes = (e: string) => new TextEncoder().encode(json(e));

  // [name, content type sent (null: none), body]
  const refused: [string, string | null, (e: string) => BodyInit][] = [
    ["form-urlencoded", "application/x-www-form-urlencoded", form],
    ["form-urlencoded with charset", "application/x-www-form-urlencoded; charset=UTF-8", form],
    ["multipart/form-data (file uploads)", null, multipart], // fetch sets the multipart type and boundary
    ["text/plain", "text/plain", json],
    ["text/plain with charset", "text/plain;charset=UTF-8", json],
    ["application/graphql", "application/graphql", signUpMutation],
    ["application/graphql+json", "application/graphql+json", json],
    ["application/xml", "application/xml", json],
    ["a JSON look-alike", "application/jsonp", json],
    ["JSON in another charset", "application/json; charset=iso-8859-1", json],
    ["JSON with another parameter", "application/json; boundary=x", json],
    ["two types at once", "application/json, text/plain", json],
    ["no content type", null, bytes],
  ];

  it.each(refused)("%s: refused with 415 UNSUPPORTED_MEDIA_TYPE, nothing runs", async (name, type, body) => {
    const address = email(name.replace(/\W+/g, "-"));
    const res = await send(h, body(address), type === null ? {} : { "content-type": type });
    expect(res.status).toBe(415);
    const parsed = (await res.json()) as ErrorBody;
    expect(parsed.errors?.map((e) => e.extensions?.code)).toEqual(["UNSUPPORTED_MEDIA_TYPE"]);
    expect(parsed.errors?.[0]?.message).toMatch(/application\/json/);
    expect(parsed.data).toBeUndefined();
    expect(await accountsWith(address)).toBe(0);
  });

  it("a cross-site form posted to the listening server runs nothing", async () => {
    const address = email("socket-form");
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example.net" },
      body: form(address),
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as ErrorBody).errors?.[0]?.extensions?.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(await accountsWith(address)).toBe(0);
  });

  it.each([
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON;charset=UTF-8",
    "application/graphql-response+json",
    'application/graphql-response+json; charset="utf-8"',
  ])("%s is accepted", async (type) => {
    const res = await send(h, JSON.stringify({ query: "{ __typename }" }), { "content-type": type });
    expect(res.status).toBe(200);
    expect(((await res.json()) as ErrorBody).data).toEqual({ __typename: "Query" });
  });

  it("queries over GET keep working, mutations over GET still do not run", async () => {
    const get = (query: string) => h.app.handle(new Request(`http://simgate.test/graphql?query=${encodeURIComponent(query)}`, { headers: { accept: "application/json" } }));
    const res = await get("{ __typename }");
    expect(res.status).toBe(200);
    expect(((await res.json()) as ErrorBody).data).toEqual({ __typename: "Query" });
    const address = email("get");
    expect((await get(signUpMutation(address))).status).toBe(405);
    expect(await accountsWith(address)).toBe(0);
  });
});
