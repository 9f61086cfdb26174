// Global IDs are written without Pothos in services; they must stay the IDs clients already hold.
import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import { describe, expect, it } from "vitest";
import { decodeGlobalId, encodeGlobalId, globalIdOf, rowIdOf, safeDecode } from "../src/ids/global-id.ts";

const values: [string, string][] = [
  ["Sim", "0b6f1c9e-3f5a-4e0b-9a57-2d1c6f3e8a10"],
  ["Operator", "op_1"],
  ["SupportTicket", "a"],
  ["EmailAddress", "with:colons:inside"],
  ["T", "ünïcödé"],
  ["_Under", "1234567890"],
];

const outcome = (decode: (id: string) => unknown, id: string) => {
  try {
    return { ok: decode(id) };
  } catch {
    return { error: true };
  }
};

describe("global IDs", () => {
  it("encode exactly as @pothos/plugin-relay encodes them", () => {
    for (const [typename, id] of values) {
      expect(encodeGlobalId(typename, id)).toBe(encodeGlobalID(typename, id));
      expect(globalIdOf(typename, id)).toBe(encodeGlobalID(typename, id));
    }
  });

  it("decode, and refuse, exactly as @pothos/plugin-relay decodes them", () => {
    const inputs = [
      ...values.map(([t, id]) => encodeGlobalID(t, id)),
      "",
      "not base64!",
      "U2lt",
      btoa("Sim:"),
      btoa(":id"),
      btoa("1Sim:id"),
      btoa("Sim"),
      "U2ltOjE=",
      "U2ltOjE",
    ];
    for (const input of inputs) expect(outcome(decodeGlobalId, input), input).toEqual(outcome(decodeGlobalID, input));
  });

  it("read back the row ID of the expected type only", () => {
    const id = encodeGlobalID("Sim", "0b6f1c9e-3f5a-4e0b-9a57-2d1c6f3e8a10");
    expect(rowIdOf("Sim", id)).toBe("0b6f1c9e-3f5a-4e0b-9a57-2d1c6f3e8a10");
    expect(rowIdOf("Operator", id)).toBeNull();
    expect(safeDecode(encodeGlobalID("Sim", "with:colon"))).toBeNull();
  });
});
