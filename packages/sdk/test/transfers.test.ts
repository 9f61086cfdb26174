// transfers.* between two operators on a real server (T1–T10).
import { beforeAll, describe, expect, it } from "vitest";
import { lastMail, ok, ownSims, signUp, type TestOperator } from "./support/fixtures.ts";
import { startServer, type TestServer } from "./support/server.ts";

let server: TestServer;
let source: TestOperator;
let destination: TestOperator;

beforeAll(async () => {
  server = await startServer();
  [source, destination] = await Promise.all([signUp(server), signUp(server)]);
});

const to = () => ({ destinationOperatorId: destination.operatorId, destinationEmail: destination.email });

describe("transfers", () => {
  it("T2, T6, T7: issue, accept with the mailed token once a payment method exists", async () => {
    const sims = await ownSims(server, source, 2);
    const simIds = sims.map((s) => s.id);
    expect(await source.client.transfers.issue({ simIds, destinationOperatorId: destination.operatorId, destinationEmail: "x@example.com" })).toMatchObject({
      ok: false,
      userErrors: [{ code: "TRANSFER_DESTINATION_INVALID" }],
    });
    const transfer = ok(await source.client.transfers.issue({ simIds, ...to() }));
    expect(transfer).toMatchObject({ status: "PENDING", sourceOperatorId: source.operatorId, imsis: sims.map((s) => s.imsi) });
    expect((await source.client.sims.getById(simIds[0]!))?.status).toBe("TRANSFERRING");

    const { token } = await lastMail(server, destination.email, "SIM_TRANSFER_TOKEN");
    expect(await destination.client.transfers.accept({ token })).toMatchObject({ ok: false, userErrors: [{ code: "PAYMENT_METHOD_REQUIRED" }] });
    ok(await destination.client.emails.registerPaymentMethod({ type: "CREDIT_CARD", cardLast4: "4242" }));
    const accepted = ok(await destination.client.transfers.accept({ token }));
    expect(accepted).toMatchObject({ id: transfer.id, status: "ACCEPTED" });
    expect(accepted.transferDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await destination.client.sims.get(sims[0]!.imsi))?.status).toBe("READY");
    expect(await source.client.sims.get(sims[0]!.imsi)).toBeNull();
  });

  it("T10, T5: reject by the destination and cancel by the source return the SIMs to READY", async () => {
    const [a, b] = await ownSims(server, source, 2);
    const first = ok(await source.client.transfers.issue({ simIds: [a!.id], ...to() }));
    expect(ok(await destination.client.transfers.reject({ transferId: first.id })).status).toBe("REJECTED");
    const second = ok(await source.client.transfers.issue({ simIds: [b!.id], ...to() }));
    expect(ok(await source.client.transfers.cancel(second.id))).toMatchObject({ status: "CANCELED" });
    expect(await source.client.transfers.cancel(second.id)).toMatchObject({ ok: false, userErrors: [{ code: "TRANSFER_NOT_PENDING" }] });
    expect((await source.client.sims.getById(b!.id))?.status).toBe("READY");
  });

  it("T9: apply opens a support ticket for SIMs that are not READY", async () => {
    const [sim] = await ownSims(server, source, 1);
    ok(await source.client.sims.activate(sim!.id));
    const ticket = ok(await source.client.transfers.apply({ simIds: [sim!.id], ...to(), note: "Fleet move" }));
    expect(ticket).toMatchObject({ category: "SIM_TRANSFER_APPLICATION", status: "OPEN" });
  });

  it("T3: both ends list their transfers, with status filters and paging", async () => {
    const outgoing = await source.client.transfers.list({ direction: "OUTGOING", first: 2 });
    expect(outgoing.totalCount).toBe(3);
    expect(outgoing.nodes).toHaveLength(2);
    const all = await source.client.transfers.collect({ direction: "OUTGOING", pageSize: 1 });
    expect(all.map((t) => t.status).sort()).toEqual(["ACCEPTED", "CANCELED", "REJECTED"]);
    const incoming: string[] = [];
    for await (const t of destination.client.transfers.iterate({ direction: "INCOMING", status: "ACCEPTED" })) incoming.push(t.status);
    expect(incoming).toEqual(["ACCEPTED"]);
  });
});
