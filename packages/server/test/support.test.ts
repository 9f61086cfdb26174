// P1–P3 and E8 through the endpoint: tickets, their mail, office hours.
import { describe, expect, it } from "vitest";
import { addVerifiedEmail, lastMail, setRole, signUp, uniqueEmail, type TestOperator } from "./support/accounts.ts";
import { ADMIN_SECRET, startHarness } from "./support/harness.ts";
import { snapshot } from "./support/snapshot.ts";

const h = await startHarness();
const codes = (r: { userErrors: { code: string }[] }) => r.userErrors.map((e) => e.code);

const CREATE = `mutation($i: CreateSupportTicketInput!) { createSupportTicket(input: $i) { ticket { id category scope status subject messages { author body } } userErrors { code field } } }`;
const REPLY = `mutation($i: ReplyToSupportTicketInput!) { replyToSupportTicket(input: $i) { ticket { messages { author body } } userErrors { code field } } }`;
const CLOSE = `mutation($i: CloseSupportTicketInput!) { closeSupportTicket(input: $i) { ticket { status closedAt } userErrors { code } } }`;
const STAFF = `mutation($i: AdminReplyToSupportTicketInput!) { adminReplyToSupportTicket(input: $i) { ticket { messages { author body } } userErrors { code } } }`;

async function plan(op: TestOperator, p: string) {
  const r = await h.ok(`mutation($p: SupportPlan!) { changeSupportPlan(input: { plan: $p }) { operator { supportPlan } userErrors { code } } }`, { p }, op.token);
  expect(r.changeSupportPlan).toEqual({ operator: { supportPlan: p }, userErrors: [] });
}

async function ticket(op: TestOperator, category = "CONNECTIVITY", subject = "No data on SIM") {
  const r = (await h.ok(CREATE, { i: { subject, body: "Since this morning.", category } }, op.token)).createSupportTicket;
  expect(r.userErrors).toEqual([]);
  return r.ticket as { id: string; scope: string };
}

describe("P1/P2 plans and scope", () => {
  it("P1: an operator starts on BASIC and can switch plans", async () => {
    const op = await signUp(h);
    expect((await h.ok(`{ viewer { supportPlan } }`, {}, op.token)).viewer.supportPlan).toBe("BASIC");
    await plan(op, "ENTERPRISE");
    await plan(op, "PRIORITY");
  });

  it("P2: supportScope answers for the viewer's plan or a given one", async () => {
    const op = await signUp(h);
    const ask = async (vars: Record<string, string>) => (await h.ok(`query($c: SupportCategory!, $p: SupportPlan) { supportScope(category: $c, plan: $p) }`, vars, op.token)).supportScope;
    expect(await ask({ c: "CUSTOMER_DEVICE" })).toBe("OUT_OF_SCOPE");
    expect(await ask({ c: "CUSTOMER_DEVICE", p: "PRIORITY" })).toBe("BEST_EFFORT");
    await plan(op, "ENTERPRISE");
    expect(await ask({ c: "CUSTOMER_DEVICE" })).toBe("BEST_EFFORT");
    expect((await h.gql(`{ supportScope(category: CONNECTIVITY) }`)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("P2: the scope is fixed when the ticket is created and never blocks creation", async () => {
    const op = await signUp(h);
    const out = await ticket(op, "CUSTOMER_SYSTEM");
    expect(out.scope).toBe("OUT_OF_SCOPE");
    await plan(op, "PRIORITY");
    const later = await ticket(op, "CUSTOMER_SYSTEM");
    expect(later.scope).toBe("BEST_EFFORT");
    const first = await h.ok(`query($id: ID!) { node(id: $id) { ... on SupportTicket { scope } } }`, { id: out.id }, op.token);
    expect(first.node.scope).toBe("OUT_OF_SCOPE");
  });
});

describe("E8 ticket mail", () => {
  it("E8: creating and closing a ticket auto-replies to the primary only; staff replies go To the primary, CC every support address", async () => {
    const op = await signUp(h);
    const s1 = uniqueEmail("support1");
    const s2 = uniqueEmail("support2");
    await setRole(h, op, "SUPPORT", [await addVerifiedEmail(h, op, s1), await addVerifiedEmail(h, op, s2)]);
    const t = await ticket(op);
    const created = await lastMail(h, op.email, "SUPPORT_AUTO_REPLY");
    expect(created).toMatchObject({ to: [op.email], cc: [] });
    expect(created!.subject).toContain("We received your request");

    await h.ok(STAFF, { i: { ticketId: t.id, body: "Please restart the modem." } }, ADMIN_SECRET);
    const reply = await lastMail(h, op.email, "SUPPORT_REPLY");
    expect(reply).toMatchObject({ to: [op.email], cc: [s1, s2] });
    expect(reply!.body).toContain("Please restart the modem.");

    // CC follows the support addresses at the time of sending.
    await setRole(h, op, "SUPPORT", []);
    await h.ok(STAFF, { i: { ticketId: t.id, body: "Any news?" } }, ADMIN_SECRET);
    expect(await lastMail(h, op.email, "SUPPORT_REPLY")).toMatchObject({ to: [op.email], cc: [], body: expect.stringContaining("Any news?") });

    const closed = (await h.ok(CLOSE, { i: { ticketId: t.id } }, op.token)).closeSupportTicket;
    expect(closed).toEqual({ ticket: { status: "CLOSED", closedAt: expect.any(String) }, userErrors: [] });
    const auto = await lastMail(h, op.email, "SUPPORT_AUTO_REPLY");
    expect(auto).toMatchObject({ to: [op.email], cc: [] });
    expect(auto!.subject).toContain("closed");
  });

  it("tickets carry the conversation; a closed ticket refuses replies (TICKET_CLOSED) and changes nothing", async () => {
    const op = await signUp(h);
    const t = await ticket(op);
    await h.ok(STAFF, { i: { ticketId: t.id, body: "Which SIM?" } }, ADMIN_SECRET);
    const replied = (await h.ok(REPLY, { i: { ticketId: t.id, body: "The one in Osaka." } }, op.token)).replyToSupportTicket;
    expect(replied.ticket.messages).toEqual([
      { author: "CUSTOMER", body: "Since this morning." },
      { author: "STAFF", body: "Which SIM?" },
      { author: "CUSTOMER", body: "The one in Osaka." },
    ]);
    await h.ok(CLOSE, { i: { ticketId: t.id } }, op.token);
    const before = await snapshot(h.app.db);
    expect(codes((await h.ok(REPLY, { i: { ticketId: t.id, body: "one more thing" } }, op.token)).replyToSupportTicket)).toEqual(["TICKET_CLOSED"]);
    expect(codes((await h.ok(CLOSE, { i: { ticketId: t.id } }, op.token)).closeSupportTicket)).toEqual(["TICKET_CLOSED"]);
    expect(codes((await h.ok(STAFF, { i: { ticketId: t.id, body: "late" } }, ADMIN_SECRET)).adminReplyToSupportTicket)).toEqual(["TICKET_CLOSED"]);
    expect(await snapshot(h.app.db)).toBe(before);
  });

  it("bad ticket input: blank subject, huge body, product-opened categories", async () => {
    const op = await signUp(h);
    const r = (await h.ok(CREATE, { i: { subject: " ", body: "x".repeat(10_001), category: "OFFICE_HOURS" } }, op.token)).createSupportTicket;
    expect(r.userErrors).toEqual([
      { code: "INVALID_INPUT", field: ["input", "subject"] },
      { code: "INVALID_INPUT", field: ["input", "body"] },
      { code: "INVALID_INPUT", field: ["input", "category"] },
    ]);
  });

  it("O4/O5: another operator's ticket is NOT_FOUND; staff replies are admin only", async () => {
    const op = await signUp(h);
    const other = await signUp(h);
    const t = await ticket(op);
    expect(codes((await h.ok(REPLY, { i: { ticketId: t.id, body: "hi" } }, other.token)).replyToSupportTicket)).toEqual(["NOT_FOUND"]);
    expect(codes((await h.ok(CLOSE, { i: { ticketId: t.id } }, other.token)).closeSupportTicket)).toEqual(["NOT_FOUND"]);
    expect((await h.gql(STAFF, { i: { ticketId: t.id, body: "x" } }, op.token)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await h.ok(`query($id: ID!) { node(id: $id) { id } }`, { id: t.id }, other.token)).node).toBeNull();
  });

  it("lists tickets by status with cursor pages, newest first", async () => {
    const op = await signUp(h);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await ticket(op, "DOCUMENTATION", `question ${i}`)).id);
    await h.ok(CLOSE, { i: { ticketId: ids[0] } }, op.token);
    const page = async (status: string | null, after?: string) =>
      (await h.ok(`query($s: SupportTicketStatus, $a: String) { viewer { supportTickets(status: $s, first: 1, after: $a) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } }`, { s: status, a: after }, op.token)).viewer.supportTickets;
    const open1 = await page("OPEN");
    expect(open1.totalCount).toBe(2);
    expect(open1.edges[0].node.id).toBe(ids[2]);
    const open2 = await page("OPEN", open1.pageInfo.endCursor);
    expect(open2.edges[0].node.id).toBe(ids[1]);
    expect(open2.pageInfo.hasNextPage).toBe(false);
    expect((await page("CLOSED")).totalCount).toBe(1);
  });
});
