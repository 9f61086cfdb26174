// V4 over SSE, on both engines through a real listening server: the events one wake-up hands a
// subscription leave the server together (event-stream-writes.ts), not as a socket write each.
import { Socket } from "node:net";
import { afterAll, expect, it } from "vitest";
import { signUp } from "./support/accounts.ts";
import { startHarness } from "./support/harness.ts";
import { ownSims } from "./support/sims.ts";
import { subscribeSse } from "./support/subscriptions.ts";

const h = await startHarness();
const port = await h.app.listen();

// Socket writes the server makes on connections to its own port (its side of each connection).
let serverWrites = 0;
const proto = Socket.prototype as unknown as Record<"_writeGeneric", (this: Socket, ...args: unknown[]) => unknown>;
const writeGeneric = proto._writeGeneric;
proto._writeGeneric = function (this: Socket, ...args: unknown[]) {
  if (this.localPort === port) serverWrites += 1;
  return writeGeneric.apply(this, args);
};
afterAll(() => {
  proto._writeGeneric = writeGeneric;
});

it("V4: 20 events committed together reach an SSE subscriber in a few socket writes, not one each", async () => {
  const op = await signUp(h);
  const sims = await ownSims(h, op, 20);
  const rowIds = sims.map((s) => Buffer.from(s.id, "base64").toString().split(":")[1]!);
  await h.app.db.sim.updateMany({ where: { id: { in: rowIds } }, data: { terminationProtected: false } });
  const sub = await subscribeSse(`http://127.0.0.1:${port}`, `subscription { events(types: [SIM_STATUS_CHANGED]) { sequence } }`, {}, op.token);
  try {
    // Let the stream finish its replay and go live before counting.
    await new Promise((r) => setTimeout(r, 300));
    const before = serverWrites;
    const done = await h.ok(`mutation($ids: [ID!]!) { terminateSims(input: { simIds: $ids }) { userErrors { code } } }`, { ids: sims.map((s) => s.id) }, op.token);
    expect(done.terminateSims.userErrors).toEqual([]);
    const received: string[] = [];
    for (let i = 0; i < 20; i += 1) received.push((await sub.next())!.data.events.sequence);
    expect(new Set(received).size).toBe(20);
    // One write per wake-up that found events; the mutation's own response went in-process.
    expect(serverWrites - before).toBeLessThanOrEqual(3);
  } finally {
    await sub.close();
  }
});
