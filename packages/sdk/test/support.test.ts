// support.* and the administrator's ticket reply and outbox on a real server (P1–P3, E8, O5).
import { beforeAll, describe, expect, it } from "vitest";
import { earliestSlotDate } from "../../schema/src/domain/office-hours.ts";
import { lastMail, ok, signUp, type TestOperator } from "./support/fixtures.ts";
import { startServer, type TestServer } from "./support/server.ts";

let server: TestServer;
let op: TestOperator;

beforeAll(async () => {
  server = await startServer();
  op = await signUp(server);
});

describe("support", () => {
  it("P2: scope reads the table for a plan, or the viewer's plan", async () => {
    expect(await op.client.support.scope("CUSTOMER_DEVICE", "BASIC")).toBe("OUT_OF_SCOPE");
    expect(await op.client.support.scope("CUSTOMER_DEVICE", "PRIORITY")).toBe("BEST_EFFORT");
    expect(await op.client.support.scope("CONNECTIVITY")).toBe("IN_SCOPE");
  });

  it("E8: createTicket, reply, staff reply, close; a closed ticket refuses replies", async () => {
    const ticket = ok(await op.client.support.createTicket({ category: "CONNECTIVITY", subject: "No data", body: "Since 9:00." }));
    expect(ticket).toMatchObject({ status: "OPEN", scope: "IN_SCOPE", messages: [{ author: "CUSTOMER", body: "Since 9:00." }] });
    const replied = ok(await op.client.support.reply({ ticketId: ticket.id, body: "Still down." }));
    expect(replied.messages).toHaveLength(2);
    const staff = ok(await server.adminClient.admin.replyToTicket({ ticketId: ticket.id, body: "Looking into it." }));
    expect(staff.messages.at(-1)).toMatchObject({ author: "STAFF", body: "Looking into it." });
    const mail = await lastMail(server, op.email, "SUPPORT_REPLY");
    expect(mail.body).toContain("Looking into it.");

    expect(ok(await op.client.support.close(ticket.id))).toMatchObject({ status: "CLOSED" });
    expect(await op.client.support.reply({ ticketId: ticket.id, body: "One more thing" })).toMatchObject({
      ok: false,
      userErrors: [{ code: "TICKET_CLOSED" }],
    });

    ok(await op.client.support.createTicket({ category: "DOCUMENTATION", subject: "Docs", body: "Where?" }));
    const open = await op.client.support.listTickets({ status: "OPEN" });
    expect(open.nodes.map((t) => t.subject)).toEqual(["Docs"]);
    expect((await op.client.support.listTickets.collect({ pageSize: 1 })).map((t) => t.subject)).toEqual(["Docs", "No data"]);
    const closed = [];
    for await (const t of op.client.support.listTickets.iterate({ status: "CLOSED" })) closed.push(t.id);
    expect(closed).toEqual([ticket.id]);
  });

  it("P1, P3: office hours need PRIORITY; request, list and cancel", async () => {
    const day = earliestSlotDate(new Date());
    const slot = { startsAt: new Date(`${day}T11:00:00+09:00`).toISOString(), durationMinutes: 30 };
    const input = { topic: "Fleet rollout", candidateSlots: [slot] };
    expect(await op.client.support.requestOfficeHours(input)).toMatchObject({ ok: false, userErrors: [{ code: "SUPPORT_PLAN_INSUFFICIENT" }] });

    expect(ok(await op.client.support.changePlan("PRIORITY")).supportPlan).toBe("PRIORITY");
    const request = ok(await op.client.support.requestOfficeHours(input));
    expect(request).toMatchObject({ status: "REQUESTED", meetingTool: "GOOGLE_MEET", candidateSlots: [slot] });
    expect(await op.client.support.requestOfficeHours(input)).toMatchObject({ ok: false, userErrors: [{ code: "OFFICE_HOURS_MONTHLY_LIMIT" }] });

    const page = await op.client.support.listOfficeHours();
    expect(page.nodes.map((r) => r.id)).toEqual([request.id]);
    expect(ok(await op.client.support.cancelOfficeHours(request.id)).status).toBe("CANCELED");
    expect((await op.client.support.listOfficeHours.collect()).map((r) => r.status)).toEqual(["CANCELED"]);
  });

  it("O5: the outbox filters by kind and address", async () => {
    const mails = await server.adminClient.admin.outbox({ to: op.email, kind: "SUPPORT_AUTO_REPLY", first: 10 });
    expect(mails.length).toBeGreaterThanOrEqual(2);
    expect(mails.every((m) => m.kind === "SUPPORT_AUTO_REPLY" && m.to.includes(op.email))).toBe(true);
  });
});
