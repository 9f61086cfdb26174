// P2: how far support helps, by ticket category and support plan. One table, tested pair by pair.
export const supportPlans = ["BASIC", "PRIORITY", "ENTERPRISE"] as const;
export type SupportPlan = (typeof supportPlans)[number];
export type SupportScope = "IN_SCOPE" | "BEST_EFFORT" | "OUT_OF_SCOPE";

export const supportCategories = [
  "CONNECTIVITY",
  "PLATFORM_USAGE",
  "PURCHASED_DEVICE",
  "DOCUMENTATION",
  "BILLING_AND_CONTRACT",
  "CUSTOMER_DEVICE",
  "CUSTOMER_SYSTEM",
  "COMMUNICATION_CONTENT",
  "THIRD_PARTY_PRODUCT",
  "CUSTOM_IMPLEMENTATION",
  "CARRIER_COMBINATION",
  "FAILURE_INVESTIGATION",
  "UNDOCUMENTED_SPECIFICATION",
  "LEGAL_OPINION",
  "BASE_STATION",
  "SIM_TRANSFER_APPLICATION",
  "ACCOUNT_RECOVERY",
  "OFFICE_HOURS",
] as const;
export type SupportCategory = (typeof supportCategories)[number];

const everyPlan = (scope: SupportScope): Record<SupportPlan, SupportScope> => ({ BASIC: scope, PRIORITY: scope, ENTERPRISE: scope });
const paidPlans = (scope: SupportScope): Record<SupportPlan, SupportScope> => ({ BASIC: "OUT_OF_SCOPE", PRIORITY: scope, ENTERPRISE: scope });

export const scopeTable: Record<SupportCategory, Record<SupportPlan, SupportScope>> = {
  // In scope on every plan.
  CONNECTIVITY: everyPlan("IN_SCOPE"),
  PLATFORM_USAGE: everyPlan("IN_SCOPE"),
  PURCHASED_DEVICE: everyPlan("IN_SCOPE"),
  DOCUMENTATION: everyPlan("IN_SCOPE"),
  BILLING_AND_CONTRACT: everyPlan("IN_SCOPE"),
  // Best effort on PRIORITY and ENTERPRISE, out of scope on BASIC: the customer's own devices and systems.
  CUSTOMER_DEVICE: paidPlans("BEST_EFFORT"),
  CUSTOMER_SYSTEM: paidPlans("BEST_EFFORT"),
  // Best effort on every plan: the platform stores no communication content.
  COMMUNICATION_CONTENT: everyPlan("BEST_EFFORT"),
  // Out of scope on every plan.
  THIRD_PARTY_PRODUCT: everyPlan("OUT_OF_SCOPE"),
  CUSTOM_IMPLEMENTATION: everyPlan("OUT_OF_SCOPE"),
  CARRIER_COMBINATION: everyPlan("OUT_OF_SCOPE"),
  FAILURE_INVESTIGATION: everyPlan("OUT_OF_SCOPE"),
  UNDOCUMENTED_SPECIFICATION: everyPlan("OUT_OF_SCOPE"),
  LEGAL_OPINION: everyPlan("OUT_OF_SCOPE"),
  BASE_STATION: everyPlan("OUT_OF_SCOPE"),
  // Cases the product opens itself (decision): contract matters (T9, E6), and office hours (P3),
  // which only PRIORITY and ENTERPRISE can request.
  SIM_TRANSFER_APPLICATION: everyPlan("IN_SCOPE"),
  ACCOUNT_RECOVERY: everyPlan("IN_SCOPE"),
  OFFICE_HOURS: paidPlans("IN_SCOPE"),
};

export function scopeOf(category: SupportCategory, plan: SupportPlan): SupportScope {
  return scopeTable[category][plan];
}
