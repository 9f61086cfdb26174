// Mail leaves through a real SMTP server on loopback; without SMTP_URL it stays in the outbox.
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, describe, expect, it } from "vitest";
import { lastMail, setRole, signUp, uniqueEmail } from "./support/accounts.ts";
import { createLogger } from "../src/logger.ts";
import { OutboxDeliverer } from "../src/mail/deliver.ts";
import { ADMIN_SECRET, startHarness } from "./support/harness.ts";

interface Received {
  from: string;
  to: string[];
  raw: string;
}

const received: Received[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  onData(stream, session, callback) {
    let raw = "";
    stream.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    stream.on("end", () => {
      received.push({
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
        to: session.envelope.rcptTo.map((r) => r.address),
        raw,
      });
      callback();
    });
  },
});
await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
const smtpPort = (smtp.server.address() as AddressInfo).port;
afterAll(() => new Promise<void>((resolve) => smtp.close(() => resolve())));

const h = await startHarness({
  env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, SIMGATE_OUTBOX_INTERVAL_MS: "50", MAIL_FROM: "Simgate <noreply@simgate.test>" },
});
await h.app.listen();
const quiet = await startHarness();

async function waitFor<T>(probe: () => T | undefined, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("mail delivery", () => {
  it("a sign-up's verification mail arrives over SMTP, carrying the token, and is marked delivered", async () => {
    const email = uniqueEmail("smtp");
    await signUp(h, email);
    const mail = await waitFor(() => received.find((m) => m.to.includes(email)));
    const queued = await lastMail(h, email, "EMAIL_VERIFICATION");
    expect(mail.from).toBe("noreply@simgate.test");
    expect(mail.raw).toContain("Subject: Verify your email address for Simgate");
    expect(mail.raw).toContain("X-Simgate-Kind: EMAIL_VERIFICATION");
    await expect
      .poll(async () => (await h.app.db.outboxMessage.findUniqueOrThrow({ where: { id: queued!.id } })).deliveredAt, { timeout: 5000 })
      .not.toBeNull();
    // The token the mail carried is the one that verifies the address.
    const token = mail.raw.match(/sgv_[A-Za-z0-9_-]{43}/)?.[0];
    const verified = await h.ok(`mutation($t: String!) { verifyEmailAddress(input: { token: $t }) { emailAddress { verified } userErrors { code } } }`, { t: token });
    expect(verified.verifyEmailAddress).toEqual({ emailAddress: { verified: true }, userErrors: [] });
  });

  it("a delivered message keeps neither its one-time token nor the token in its text; the rest of the message stays", async () => {
    const email = uniqueEmail("forgotten");
    await signUp(h, email);
    const mail = await waitFor(() => received.find((m) => m.to.includes(email)));
    const token = mail.raw.match(/sgv_[A-Za-z0-9_-]{43}/)![0];
    await expect.poll(async () => (await lastMail(h, email, "EMAIL_VERIFICATION"))?.token ?? null, { timeout: 5000 }).toBeNull();
    const row = await h.app.db.outboxMessage.findFirstOrThrow({ where: { to: JSON.stringify([email.toLowerCase()]) } });
    expect(row.deliveredAt).not.toBeNull();
    expect(row.token).toBeNull();
    expect(row.body).not.toContain(token);
    expect(row.body).not.toContain(token.slice(4, 20));
    expect(row.body).toContain("[one-time token removed after delivery]");
    expect(row.body).toContain(`This address (${email}) was added to a Simgate account.`);
  });

  it("E8: a support reply is delivered once, to the primary and to its CC support address, even with several instances delivering", async () => {
    const op = await signUp(h);
    const cc = uniqueEmail("support-cc");
    const added = await h.ok(`mutation($a: String!) { addEmailAddress(input: { address: $a }) { emailAddress { id } userErrors { code } } }`, { a: cc }, op.token);
    // Delivery drops the token from the outbox: read it from the mail as received.
    const verification = await waitFor(() => received.find((m) => m.to.includes(cc.toLowerCase()) || m.to.includes(cc)));
    const token = verification.raw.match(/sgv_[A-Za-z0-9_-]{43}/)![0];
    expect((await h.ok(`mutation($t: String!) { verifyEmailAddress(input: { token: $t }) { userErrors { code } } }`, { t: token })).verifyEmailAddress.userErrors).toEqual([]);
    expect((await setRole(h, op, "SUPPORT", [added.addEmailAddress.emailAddress.id])).userErrors).toEqual([]);
    const ticket = await h.ok(`mutation { createSupportTicket(input: { subject: "No data", body: "Since this morning.", category: CONNECTIVITY }) { ticket { id } userErrors { code } } }`, {}, op.token);
    await h.ok(`mutation($i: AdminReplyToSupportTicketInput!) { adminReplyToSupportTicket(input: $i) { userErrors { code } } }`, { i: { ticketId: ticket.createSupportTicket.ticket.id, body: "Please restart the modem." } }, ADMIN_SECRET);
    const queued = await lastMail(h, op.email, "SUPPORT_REPLY");
    expect(queued).toMatchObject({ to: [op.email], cc: [cc] });
    // Two more deliverers on the same database stand for other server instances: with the app's
    // own loop, three race for the message and only one may send it.
    const others = [1, 2].map(() => new OutboxDeliverer(h.app.db, h.clock, createLogger("silent"), { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: "noreply@simgate.test", intervalMs: 50, maxAttempts: 5 }));
    try {
      await Promise.all([h.app.deliverer!.deliverDue(), ...others.map((d) => d.deliverDue())]);
      await expect.poll(async () => (await h.app.db.outboxMessage.findUniqueOrThrow({ where: { id: queued!.id } })).deliveredAt, { timeout: 5000 }).not.toBeNull();
      await Promise.all([h.app.deliverer!.deliverDue(), ...others.map((d) => d.deliverDue())]);
    } finally {
      await Promise.all(others.map((d) => d.stop()));
    }
    const replies = received.filter((m) => m.raw.includes("X-Simgate-Kind: SUPPORT_REPLY") && m.raw.includes("Please restart the modem."));
    expect(replies).toHaveLength(1);
    expect(replies[0]!.to.map((a) => a.toLowerCase()).sort()).toEqual([op.email, cc].map((a) => a.toLowerCase()).sort());
    expect(replies[0]!.raw).toMatch(new RegExp(`^Cc: .*${cc.replace(/[.+]/g, "\\$&")}`, "mi"));
  });

  it("without SMTP_URL mail stays in the outbox, undelivered", async () => {
    const email = uniqueEmail("kept");
    await signUp(quiet, email);
    expect(quiet.app.deliverer).toBeNull();
    const rows = await quiet.app.db.outboxMessage.findMany({ where: { to: { contains: email } } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.deliveredAt).toBeNull();
    expect(received.find((m) => m.to.includes(email))).toBeUndefined();
  });

  it("mail of a refused change is never queued", async () => {
    const op = await signUp(quiet);
    const before = await quiet.app.db.outboxMessage.count();
    await quiet.ok(`mutation { addEmailAddress(input: { address: "not-an-address" }) { userErrors { code } } }`, {}, op.token);
    expect(await quiet.app.db.outboxMessage.count()).toBe(before);
  });
});
