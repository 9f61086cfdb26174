// E9 and T6: how the operator pays, and where invoices go.
import { checkEmailSyntax } from "../domain/email-address.ts";
import { userError } from "../domain/user-error.ts";
import { audited } from "../audit/audited.ts";
import { refuse, refuseIf } from "../db/refusal.ts";
import { builder } from "./builder.ts";
import { globalIdOf } from "../ids/global-id.ts";
import { OperatorPayload, OperatorRef } from "./operator.ts";

export const PaymentMethodTypeEnum = builder.enumType("PaymentMethodType", {
  description: "How the operator pays.",
  values: {
    CREDIT_CARD: { description: "Charged monthly to a card." },
    INVOICE: { description: "Corporate invoice payment (E9)." },
  },
});

export const InvoiceDeliveryMethodEnum = builder.enumType("InvoiceDeliveryMethod", {
  description: "How invoices are delivered (E9).",
  values: {
    EMAIL: { description: "Mailed to the invoice delivery address." },
    POST: { description: "Sent by post; no invoice mail." },
  },
});

interface PaymentMethodShape {
  type: "CREDIT_CARD" | "INVOICE";
  cardLast4: string | null;
  registeredAt: Date;
}

const PaymentMethodRef = builder.objectRef<PaymentMethodShape>("PaymentMethod").implement({
  description: "The registered payment method; accepting SIM transfers needs one (T6).",
  fields: (t) => ({
    type: t.field({ type: PaymentMethodTypeEnum, description: "Card or invoice.", resolve: (p) => p.type }),
    cardLast4: t.exposeString("cardLast4", { nullable: true, description: "Last four digits, credit cards only." }),
    registeredAt: t.expose("registeredAt", { type: "DateTime", description: "When it was registered." }),
  }),
});

interface InvoiceSettingsShape {
  companyName: string;
  deliveryMethod: "EMAIL" | "POST";
  invoiceEmail: string;
}

const InvoiceSettingsRef = builder.objectRef<InvoiceSettingsShape>("InvoiceSettings").implement({
  description: "Invoice settings of an invoice payer (E9).",
  fields: (t) => ({
    companyName: t.exposeString("companyName", { description: "The company the invoice is made out to." }),
    deliveryMethod: t.field({ type: InvoiceDeliveryMethodEnum, description: "EMAIL or POST.", resolve: (s) => s.deliveryMethod }),
    invoiceEmail: t.exposeString("invoiceEmail", { description: "E9: independent of every other address." }),
  }),
});

builder.prismaObjectFields(OperatorRef, (t) => ({
  paymentMethod: t.field({
    type: PaymentMethodRef,
    nullable: true,
    description: "The registered payment method, if any.",
    select: { paymentMethodType: true, cardLast4: true, paymentRegisteredAt: true },
    resolve: (op) =>
      op.paymentMethodType && op.paymentRegisteredAt
        ? { type: op.paymentMethodType, cardLast4: op.cardLast4, registeredAt: op.paymentRegisteredAt }
        : null,
  }),
  invoiceSettings: t.field({
    type: InvoiceSettingsRef,
    nullable: true,
    description: "Invoice settings; null unless set (they only apply while paying by invoice).",
    select: { invoiceCompanyName: true, invoiceDeliveryMethod: true, invoiceEmail: true },
    resolve: (op) =>
      op.invoiceCompanyName && op.invoiceDeliveryMethod && op.invoiceEmail
        ? { companyName: op.invoiceCompanyName, deliveryMethod: op.invoiceDeliveryMethod, invoiceEmail: op.invoiceEmail }
        : null,
  }),
}));

const RegisterPaymentMethodInput = builder.inputType("RegisterPaymentMethodInput", {
  fields: (t) => ({
    type: t.field({ type: PaymentMethodTypeEnum, required: true, description: "Card or invoice." }),
    cardLast4: t.string({ required: false, description: "Last four digits; required for CREDIT_CARD, absent for INVOICE." }),
  }),
});

const UpdateInvoiceSettingsInput = builder.inputType("UpdateInvoiceSettingsInput", {
  fields: (t) => ({
    companyName: t.string({ required: true, description: "1 to 200 characters." }),
    deliveryMethod: t.field({ type: InvoiceDeliveryMethodEnum, required: true, description: "EMAIL or POST." }),
    invoiceEmail: t.string({ required: true, description: "Where invoices are mailed when delivery is EMAIL." }),
  }),
});

builder.mutationField("registerPaymentMethod", (t) =>
  t.field({
    type: OperatorPayload,
    description: "Registers or replaces the payment method.",
    args: { input: t.arg({ type: RegisterPaymentMethodInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "registerPaymentMethod", async ({ tx, audit }) => {
        audit.targetIds.push(globalIdOf("Operator", ctx.viewer!.id));
        const last4 = input.cardLast4 ?? null;
        if (input.type === "CREDIT_CARD" && (last4 === null || !/^\d{4}$/.test(last4))) {
          refuse(userError("INVALID_INPUT", "A credit card needs its last four digits.", ["input", "cardLast4"]));
        }
        if (input.type === "INVOICE" && last4 !== null) {
          refuse(userError("INVALID_INPUT", "Invoice payment has no card digits.", ["input", "cardLast4"]));
        }
        const operator = await tx.operator.update({
          where: { id: ctx.viewer!.id },
          data: { paymentMethodType: input.type, cardLast4: last4, paymentRegisteredAt: ctx.clock.now() },
        });
        return { operator };
      }),
  }),
);

builder.mutationField("updateInvoiceSettings", (t) =>
  t.field({
    type: OperatorPayload,
    description: "Sets the invoice settings; only an invoice payer can (E9).",
    args: { input: t.arg({ type: UpdateInvoiceSettingsInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "updateInvoiceSettings", async ({ tx, audit }) => {
        audit.targetIds.push(globalIdOf("Operator", ctx.viewer!.id));
        const companyName = input.companyName.trim();
        refuseIf([
          companyName.length === 0 || companyName.length > 200
            ? userError("INVALID_INPUT", "The company name must be 1 to 200 characters.", ["input", "companyName"])
            : null,
          checkEmailSyntax(input.invoiceEmail, ["input", "invoiceEmail"]),
        ]);
        const current = await tx.operator.findUniqueOrThrow({ where: { id: ctx.viewer!.id }, select: { paymentMethodType: true } });
        if (current.paymentMethodType !== "INVOICE") {
          refuse(userError("INVOICE_PAYMENT_REQUIRED", "Only operators paying by invoice have invoice settings (E9).", ["input"]));
        }
        const operator = await tx.operator.update({
          where: { id: ctx.viewer!.id },
          data: { invoiceCompanyName: companyName, invoiceDeliveryMethod: input.deliveryMethod, invoiceEmail: input.invoiceEmail.trim() },
        });
        return { operator };
      }),
  }),
);
