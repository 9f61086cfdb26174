import { randomInt } from "node:crypto";

// O1: OP followed by 10 digits.
export const OPERATOR_ID_PATTERN = /^OP\d{10}$/;

export function newOperatorId(): string {
  // Two draws of 5 digits: randomInt's range is limited to 2^48.
  const digits = `${randomInt(0, 100_000)}`.padStart(5, "0") + `${randomInt(0, 100_000)}`.padStart(5, "0");
  return `OP${digits}`;
}

export function isOperatorId(value: string): boolean {
  return OPERATOR_ID_PATTERN.test(value);
}
