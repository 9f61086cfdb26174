// E10: who receives mail of each kind. To and CC are deduplicated, primary first, and an
// address never appears in CC when it is already in To.
export const notificationKinds = [
  "SERVICE_NOTICE",
  "EVENT_HANDLER",
  "TRAFFIC_THRESHOLD",
  "AUDIT_LOG_EXPORT_READY",
  "SUPPORT_AUTO_REPLY",
  "SUPPORT_REPLY",
  "BILLING_NOTICE",
  "MONTHLY_BILLING_STATEMENT",
  "INVOICE",
  "SIM_TRANSFER_TOKEN",
  "EMAIL_VERIFICATION",
  "ACCOUNT_RECOVERY",
] as const;

export type NotificationKind = (typeof notificationKinds)[number];

export interface RoutingFacts {
  primary: string;
  recovery: string | null;
  billing: readonly string[];
  support: readonly string[];
  /** Addresses added but not verified yet: the ones EMAIL_VERIFICATION mail goes to. */
  unverified: readonly string[];
  paymentMethod: "CREDIT_CARD" | "INVOICE" | null;
  invoice: { deliveryMethod: "EMAIL" | "POST"; invoiceEmail: string } | null;
  /** The operator has SIMs of GLOBAL coverage (monthly statements are for those, by card). */
  hasGlobalSims: boolean;
  /** The operator has SIMs whose plan has a monthly traffic threshold (planX3, plan-D). */
  hasThresholdPlanSims: boolean;
}

export interface Recipients {
  kind: NotificationKind;
  to: string[];
  cc: string[];
  applicable: boolean;
}

/** Subscriptions with a monthly traffic threshold mail (E10 TRAFFIC_THRESHOLD). */
export const THRESHOLD_PLANS = ["planX3", "plan-D"] as const;

export function recipientsFor(kind: NotificationKind, f: RoutingFacts): Recipients {
  const route = (to: readonly string[], cc: readonly string[] = [], applicable = true): Recipients => {
    if (!applicable) return { kind, to: [], cc: [], applicable };
    const toList = dedupe(to);
    const taken = new Set(toList.map((a) => a.toLowerCase()));
    return { kind, to: toList, cc: dedupe(cc).filter((a) => !taken.has(a.toLowerCase())), applicable };
  };
  switch (kind) {
    case "SERVICE_NOTICE":
    case "EVENT_HANDLER":
    case "AUDIT_LOG_EXPORT_READY":
    case "SUPPORT_AUTO_REPLY":
    case "SIM_TRANSFER_TOKEN":
      return route([f.primary]);
    case "TRAFFIC_THRESHOLD":
      return route([f.primary], [], f.hasThresholdPlanSims);
    case "SUPPORT_REPLY":
      return route([f.primary], f.support);
    case "BILLING_NOTICE":
      // "payment problem, any payment method": there is none to fail without a payment method.
      return route([f.primary, ...f.billing], [], f.paymentMethod !== null);
    case "MONTHLY_BILLING_STATEMENT":
      return route([f.primary, ...f.billing], [], f.paymentMethod === "CREDIT_CARD" && f.hasGlobalSims);
    case "INVOICE":
      return route(
        f.invoice ? [f.invoice.invoiceEmail] : [],
        [],
        f.paymentMethod === "INVOICE" && f.invoice?.deliveryMethod === "EMAIL",
      );
    case "EMAIL_VERIFICATION":
      return route(f.unverified, [], f.unverified.length > 0);
    case "ACCOUNT_RECOVERY":
      return route(f.recovery ? [f.recovery] : [], [], f.recovery !== null);
  }
}

function dedupe(addresses: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const a of addresses) {
    const key = a.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(a);
    }
  }
  return out;
}
