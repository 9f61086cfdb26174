import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import fc from "fast-check";
import { buildSchema } from "graphql";
import { describe, expect, it } from "vitest";
import {
  ACTION_CATALOG,
  ACTIONS,
  MAX_STATEMENTS,
  ROOT_ONLY_MUTATIONS,
  decide,
  isSimAction,
  matchesScope,
  mayEver,
  parseStatements,
  rootOnlyExplanation,
  simScope,
  type Resource,
  type Statement,
} from "../src/domain/permissions.ts";

type Sim = Extract<Resource, { kind: "sim" }>;
const sim = (over: Partial<Sim> = {}): Sim => ({ kind: "sim", imsi: "440101234567890", tags: [], group: null, ...over });
const OPERATOR: Resource = { kind: "operator" };
const allow = (actions: string[], resources: string[] = ["*"]): Statement => ({ effect: "ALLOW", actions, resources });
const deny = (actions: string[], resources: string[] = ["*"]): Statement => ({ effect: "DENY", actions, resources });
const allowedOn = (pattern: string, target: Sim, action = "Sim:read") => decide([allow([action], [pattern])], action, target).allowed;

describe("U3 action catalog", () => {
  it("U3: ACTIONS is every <Area>:<name> of the catalog, once, sorted", () => {
    const expected = Object.entries(ACTION_CATALOG).flatMap(([area, names]) => names.map((n) => `${area}:${n}`));
    expect(new Set(ACTIONS).size).toBe(ACTIONS.length);
    expect([...ACTIONS].sort()).toEqual([...expected].sort());
    expect([...ACTIONS]).toEqual([...ACTIONS].sort());
  });

  it("U3: every read and every example the rule names is an action", () => {
    const named = ["Sim:read", "SimTransfer:read", "Support:read", "AuditLog:read", "Event:read", "Webhook:read", "Group:read", "User:read"];
    const examples = ["Sim:terminateSim", "SimTransfer:issueSimTransfer", "Support:createSupportTicket", "Webhook:createWebhookEndpoint"];
    for (const action of [...named, ...examples]) expect(ACTIONS).toContain(action);
  });

  it("U5: root-only mutations are in no area, so not even ALLOW * grants them", () => {
    for (const field of ROOT_ONLY_MUTATIONS) {
      for (const area of Object.keys(ACTION_CATALOG)) {
        expect(ACTIONS).not.toContain(`${area}:${field}`);
        expect(decide([allow(["*"])], `${area}:${field}`, OPERATOR).allowed).toBe(false);
      }
    }
  });

  it("U3, U5: every Mutation field of the contract is an action, root only, or outside statements", () => {
    const contract = buildSchema(readFileSync(resolve(import.meta.dirname, "../../../contract/schema.graphql"), "utf8"));
    // Public, self-service (O2, O3, E5, E6) and administrator (O5) fields: no user statement applies.
    const outside = new Set(["signUp", "authenticate", "logout", "createAuthKey", "deleteAuthKey", "verifyEmailAddress", "requestAccountRecovery"]);
    const actionFields = new Set(ACTIONS.map((a) => a.split(":")[1]));
    const unclassified = Object.keys(contract.getMutationType()!.getFields()).filter(
      (field) => !actionFields.has(field) && !ROOT_ONLY_MUTATIONS.includes(field) && !outside.has(field) && !field.startsWith("admin"),
    );
    expect(unclassified).toEqual([]);
  });

  it("U4: every Sim action, Group:setSimGroup and the SIM-naming transfer actions act on SIMs; nothing else does", () => {
    const simActions = ACTIONS.filter(isSimAction);
    expect(simActions).toEqual(
      [
        ...ACTION_CATALOG.Sim!.map((n) => `Sim:${n}`),
        "Group:setSimGroup",
        "SimTransfer:issueSimTransfer",
        "SimTransfer:applyForSimTransfer",
      ].sort(),
    );
    expect(isSimAction("Group:read")).toBe(false);
    expect(isSimAction("SimTransfer:cancelSimTransfer")).toBe(false);
    expect(isSimAction("Sim:nope")).toBe(false);
  });
});

describe("U3 statement validation", () => {
  it("U3: a valid set parses; omitted or null resources mean *", () => {
    const parsed = parseStatements([
      { effect: "ALLOW", actions: ["Sim:*", "Webhook:read"] },
      { effect: "DENY", actions: ["Sim:terminateSim"], resources: ["sim:tag:site=tokyo-*"] },
      { effect: "ALLOW", actions: ["*"], resources: null },
    ]);
    expect(parsed).toEqual({
      ok: true,
      statements: [
        { effect: "ALLOW", actions: ["Sim:*", "Webhook:read"], resources: ["*"] },
        { effect: "DENY", actions: ["Sim:terminateSim"], resources: ["sim:tag:site=tokyo-*"] },
        { effect: "ALLOW", actions: ["*"], resources: ["*"] },
      ],
    });
  });

  it("U3: an empty set is valid (a new user can do nothing)", () => {
    expect(parseStatements([])).toEqual({ ok: true, statements: [] });
  });

  it.each([
    ["unknown area", "Billing:read"],
    ["unknown action", "Sim:rebootSim"],
    ["unknown area wildcard", "Billing:*"],
    ["partial wildcard", "Sim:terminate*"],
    ["area wildcard without area", ":*"],
    ["lower-case area", "sim:read"],
    ["empty name", ""],
    ["root-only mutation (U5)", "User:createUser"],
    ["root-only transfer acceptance (U5)", "SimTransfer:acceptSimTransfer"],
    ["root-only support plan (U5)", "Support:changeSupportPlan"],
    ["string over 200 characters", `Sim:${"x".repeat(200)}`],
  ])("U3: a malformed action (%s) refuses the whole set at its path", (_label, bad) => {
    const result = parseStatements([allow(["Sim:read"]), { effect: "ALLOW", actions: ["Sim:read", bad], resources: ["*"] }]);
    expect(result).toMatchObject({ ok: false, path: [1, "actions", 1] });
  });

  it.each(["allow", "PERMIT", ""])("U3: effect %j is refused at [i, \"effect\"]", (effect) => {
    expect(parseStatements([allow(["Sim:read"]), { effect, actions: ["Sim:read"] }])).toMatchObject({ ok: false, path: [1, "effect"] });
  });

  it("U3: at most 50 statements; the 51st is the bad element", () => {
    const fifty = Array.from({ length: MAX_STATEMENTS }, () => allow(["Sim:read"]));
    expect(parseStatements(fifty).ok).toBe(true);
    expect(parseStatements([...fifty, allow(["Sim:read"])])).toMatchObject({ ok: false, path: [50] });
  });

  it("U3: empty action or resource lists are malformed", () => {
    expect(parseStatements([{ effect: "ALLOW", actions: [] }])).toMatchObject({ ok: false, path: [0, "actions"] });
    expect(parseStatements([{ effect: "ALLOW", actions: ["Sim:read"], resources: [] }])).toMatchObject({ ok: false, path: [0, "resources"] });
  });

  it("U3: at most 50 actions and 50 resources per statement", () => {
    const actions = Array.from({ length: 50 }, () => "Sim:read");
    const resources = Array.from({ length: 50 }, (_, i) => `sim:imsi:${i}`);
    expect(parseStatements([{ effect: "ALLOW", actions, resources }]).ok).toBe(true);
    expect(parseStatements([{ effect: "ALLOW", actions: [...actions, "Sim:read"] }])).toMatchObject({ ok: false, path: [0, "actions", 50] });
    expect(parseStatements([{ effect: "ALLOW", actions, resources: [...resources, "*"] }])).toMatchObject({
      ok: false,
      path: [0, "resources", 50],
    });
  });
});

describe("U4 resource patterns", () => {
  it.each([
    "*",
    "sim:*",
    "sim:imsi:4",
    "sim:imsi:440101234567890",
    "sim:imsi:44010*",
    "sim:imsi:440101234567890*",
    "sim:tag:site=tokyo",
    "sim:tag:site=tokyo-*",
    "sim:tag:site=",
    "sim:tag:site=*",
    "sim:tag:site=a=b",
    "sim:tag:Site Name=東京",
    "sim:group:fleet_A.1-x",
    `sim:group:${"g".repeat(100)}`,
  ])("U4: %s is a valid pattern for a SIM action", (pattern) => {
    expect(parseStatements([allow(["Sim:read"], [pattern])]).ok).toBe(true);
  });

  it.each([
    ["empty", ""],
    ["unknown kind", "sim:iccid:8981"],
    ["bare sim", "sim"],
    ["operator pattern", "operator:*"],
    ["upper-case prefix", "SIM:*"],
    ["IMSI without digits", "sim:imsi:"],
    ["IMSI wildcard without digits", "sim:imsi:*"],
    ["IMSI with letters", "sim:imsi:44a"],
    ["IMSI over 15 digits", "sim:imsi:4401012345678901"],
    ["IMSI with inner *", "sim:imsi:44*0"],
    ["tag without =", "sim:tag:site"],
    ["tag with empty name", "sim:tag:=tokyo"],
    ["tag with blank name", "sim:tag:  =tokyo"],
    ["tag name over 64 characters", `sim:tag:${"n".repeat(65)}=v`],
    ["tag value with inner *", "sim:tag:site=to*kyo"],
    ["tag value with two trailing *", "sim:tag:site=tokyo**"],
    ["empty group", "sim:group:"],
    ["group with a space", "sim:group:my fleet"],
    ["group over 100 characters", `sim:group:${"g".repeat(101)}`],
    ["string over 200 characters", `sim:tag:site=${"v".repeat(190)}`],
  ])("U4: a bad pattern (%s) refuses the whole set at its path", (_label, pattern) => {
    const result = parseStatements([allow(["Sim:read"]), allow(["Sim:read"], ["sim:*", pattern])]);
    expect(result).toMatchObject({ ok: false, path: [1, "resources", 1] });
  });

  it("U4: other areas take * only; a statement with SIM patterns must name a SIM action", () => {
    expect(parseStatements([allow(["Webhook:read"], ["sim:*"])])).toMatchObject({ ok: false, path: [0, "resources", 0] });
    expect(parseStatements([allow(["Webhook:*", "AuditLog:read"], ["*", "sim:group:a"])])).toMatchObject({
      ok: false,
      path: [0, "resources", 1],
    });
    expect(parseStatements([allow(["Webhook:read", "Sim:read"], ["sim:tag:a=b"])]).ok).toBe(true);
    expect(parseStatements([allow(["Group:*"], ["sim:group:a"])]).ok).toBe(true);
    expect(parseStatements([allow(["SimTransfer:*"], ["sim:imsi:44*"])]).ok).toBe(true);
    expect(parseStatements([allow(["*"], ["sim:*"])]).ok).toBe(true);
  });

  it("U4: sim:imsi matches the exact IMSI, or with * every IMSI starting with the digits", () => {
    const target = sim({ imsi: "440101234567890" });
    expect(allowedOn("sim:imsi:440101234567890", target)).toBe(true);
    expect(allowedOn("sim:imsi:44010123456789", target)).toBe(false);
    expect(allowedOn("sim:imsi:44010*", target)).toBe(true);
    expect(allowedOn("sim:imsi:44011*", target)).toBe(false);
    expect(allowedOn("sim:imsi:440101234567890*", target)).toBe(true);
  });

  it("U4: sim:tag matches a tag of that exact name whose value is equal, or with * starts with the value", () => {
    const target = sim({ tags: [{ name: "env", value: "prod" }, { name: "site", value: "tokyo-2" }] });
    expect(allowedOn("sim:tag:site=tokyo-2", target)).toBe(true);
    expect(allowedOn("sim:tag:site=tokyo", target)).toBe(false);
    expect(allowedOn("sim:tag:site=tokyo-*", target)).toBe(true);
    expect(allowedOn("sim:tag:site=osaka*", target)).toBe(false);
    expect(allowedOn("sim:tag:Site=tokyo-2", target)).toBe(false);
    expect(allowedOn("sim:tag:env=*", target)).toBe(true);
    expect(allowedOn("sim:tag:owner=*", target)).toBe(false);
  });

  it("U4, G1: sim:group matches the SIMs of that group only", () => {
    expect(allowedOn("sim:group:fleet", sim({ group: "fleet" }))).toBe(true);
    expect(allowedOn("sim:group:fleet", sim({ group: "fleet-2" }))).toBe(false);
    expect(allowedOn("sim:group:fleet", sim({ group: null }))).toBe(false);
  });

  it("U4: sim:* matches every SIM but not the operator; * matches both", () => {
    expect(allowedOn("sim:*", sim())).toBe(true);
    expect(decide([allow(["Sim:read"], ["sim:*"])], "Sim:read", OPERATOR).allowed).toBe(false);
    expect(decide([allow(["Sim:read"])], "Sim:read", OPERATOR).allowed).toBe(true);
  });

  it("U4: SIM patterns never reach an action on the operator, even through a wildcard action", () => {
    const statements = [allow(["*"], ["sim:*", "sim:tag:site=tokyo"])];
    expect(decide(statements, "Sim:read", sim()).allowed).toBe(true);
    expect(decide(statements, "Group:setSimGroup", sim()).allowed).toBe(true);
    expect(decide(statements, "Webhook:read", OPERATOR).allowed).toBe(false);
    expect(decide(statements, "Group:read", sim()).allowed).toBe(false);
    expect(mayEver(statements, "Webhook:read")).toBe(false);
  });
});

describe("U3, U7 decisions", () => {
  it("U3: no statements, no access", () => {
    for (const action of ACTIONS) {
      expect(decide([], action, sim())).toEqual({
        allowed: false,
        decidingStatement: null,
        explanation: `Denied: no statement allows ${action} on this SIM.`,
      });
      expect(mayEver([], action)).toBe(false);
    }
    expect(decide([], "Webhook:read", OPERATOR).explanation).toBe("Denied: no statement allows Webhook:read.");
  });

  it("U3, U7: the first matching ALLOW decides when no DENY matches", () => {
    const statements = [allow(["Webhook:*"]), allow(["Sim:*"]), allow(["Sim:read"])];
    expect(decide(statements, "Sim:read", sim())).toEqual({
      allowed: true,
      decidingStatement: 1,
      explanation: "Allowed by statement 1 (ALLOW Sim:* on *).",
    });
  });

  it("U3, U7: any matching DENY wins, and the first one decides", () => {
    const statements = [
      allow(["Sim:*"]),
      deny(["Sim:read"], ["sim:group:other"]),
      deny(["Sim:terminateSim", "Sim:suspendSim"], ["sim:imsi:9*", "sim:tag:site=tokyo-*"]),
      deny(["*"]),
    ];
    const target = sim({ tags: [{ name: "site", value: "tokyo-1" }] });
    expect(decide(statements, "Sim:terminateSim", target)).toEqual({
      allowed: false,
      decidingStatement: 2,
      explanation: "Denied by statement 2 (DENY Sim:terminateSim on sim:tag:site=tokyo-*).",
    });
    expect(decide(statements, "Sim:read", target).decidingStatement).toBe(3);
  });

  it("U3: an area wildcard covers its own area only", () => {
    const statements = [allow(["Sim:*"])];
    expect(decide(statements, "SimTransfer:issueSimTransfer", sim()).allowed).toBe(false);
    expect(decide(statements, "Sim:terminateSims", sim()).allowed).toBe(true);
  });

  it("U3: an unknown action is denied, and the explanation says so", () => {
    const decision = decide([allow(["*"])], "Sim:rebootSim", sim());
    expect(decision.allowed).toBe(false);
    expect(decision.decidingStatement).toBeNull();
    expect(decision.explanation).toBe("Denied: Sim:rebootSim is an unknown action.");
    expect(mayEver([allow(["*"])], "Sim:rebootSim")).toBe(false);
  });

  it("U5: the root-only explanation names the field and the rule", () => {
    expect(rootOnlyExplanation("setEmailRole")).toBe("setEmailRole is for the root user only (U5), whatever the statements say.");
  });
});

describe("U4, U6 scopes and the field-level gate", () => {
  it("U4: simScope is the patterns of the matching statements; a DENY of every SIM empties it", () => {
    expect(simScope([allow(["Sim:*"])], "Sim:read")).toEqual({ allow: [{ kind: "all" }], deny: [] });
    expect(simScope([allow(["Sim:read"], ["sim:tag:site=tokyo-*", "sim:imsi:44*"]), deny(["Sim:read"], ["sim:group:lab"])], "Sim:read")).toEqual({
      allow: [
        { kind: "tag", name: "site", value: "tokyo-", prefix: true },
        { kind: "imsi", value: "44", prefix: true },
      ],
      deny: [{ kind: "group", name: "lab" }],
    });
    expect(simScope([allow(["Sim:*"]), deny(["*"], ["sim:*"])], "Sim:read")).toEqual({ allow: [], deny: [] });
    expect(simScope([allow(["Sim:*"])], "Webhook:read")).toEqual({ allow: [], deny: [] });
    expect(simScope([allow(["*"], ["*", "sim:group:lab"])], "Group:read")).toEqual({ allow: [{ kind: "all" }], deny: [] });
  });

  it("U6: mayEver is false only when every allowed pattern is covered by a DENY", () => {
    expect(mayEver([allow(["Sim:*"], ["sim:tag:site=tokyo"])], "Sim:read")).toBe(true);
    expect(mayEver([allow(["Sim:*"], ["sim:tag:site=tokyo"])], "Webhook:read")).toBe(false);
    expect(mayEver([allow(["Sim:*"], ["sim:tag:site=tokyo"]), deny(["Sim:read"], ["sim:tag:site=*"])], "Sim:read")).toBe(false);
    expect(mayEver([allow(["Sim:*"], ["sim:tag:site=tokyo*"]), deny(["Sim:read"], ["sim:tag:site=tokyo-1"])], "Sim:read")).toBe(true);
    expect(mayEver([allow(["Sim:*"], ["sim:imsi:440*"]), deny(["Sim:*"], ["sim:imsi:44*"])], "Sim:read")).toBe(false);
    expect(mayEver([allow(["Sim:*"], ["sim:imsi:44*"]), deny(["Sim:*"], ["sim:imsi:440*"])], "Sim:read")).toBe(true);
    expect(mayEver([allow(["Sim:*"], ["sim:group:a"]), deny(["Sim:*"], ["sim:group:a"])], "Sim:read")).toBe(false);
    expect(mayEver([allow(["Sim:*"], ["sim:*"]), deny(["Sim:*"], ["sim:group:a"])], "Sim:read")).toBe(true);
    expect(mayEver([allow(["*"]), deny(["Webhook:*"])], "Webhook:read")).toBe(false);
  });
});

// Small alphabets so that generated patterns and SIMs often meet.
const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom("4", "0"), minLength: min, maxLength: max });
const tagValue = fc.string({ unit: fc.constantFrom("a", "b", "-"), maxLength: 3 });
const tagName = fc.constantFrom("site", "env");
const groupName = fc.constantFrom("g1", "g2");
const patternArb = fc.oneof(
  fc.constantFrom("*", "sim:*"),
  fc.tuple(digits(1, 4), fc.boolean()).map(([d, p]) => `sim:imsi:${d}${p ? "*" : ""}`),
  fc.tuple(tagName, tagValue, fc.boolean()).map(([n, v, p]) => `sim:tag:${n}=${v}${p ? "*" : ""}`),
  groupName.map((g) => `sim:group:${g}`),
);
const actionEntryArb = fc.constantFrom("*", "Sim:*", "Sim:read", "Sim:terminateSim", "Group:*", "Group:setSimGroup", "Webhook:read", "Webhook:*");
const actionArb = fc.constantFrom("Sim:read", "Sim:terminateSim", "Group:setSimGroup", "Group:read", "Webhook:read", "SimTransfer:issueSimTransfer");
const statementArb: fc.Arbitrary<Statement> = fc.record({
  effect: fc.constantFrom("ALLOW", "DENY") as fc.Arbitrary<"ALLOW" | "DENY">,
  actions: fc.array(actionEntryArb, { minLength: 1, maxLength: 3 }),
  resources: fc.array(patternArb, { minLength: 1, maxLength: 3 }),
});
const statementsArb = fc.array(statementArb, { maxLength: 6 });
const simArb: fc.Arbitrary<Sim> = fc.record({
  kind: fc.constant("sim" as const),
  imsi: digits(4, 4).map((d) => `${d}${"1".repeat(11)}`),
  tags: fc.uniqueArray(fc.record({ name: tagName, value: tagValue }), { selector: (t) => t.name, maxLength: 2 }),
  group: fc.option(groupName, { nil: null }),
});
const resourceArb: fc.Arbitrary<Resource> = fc.oneof(simArb, fc.constant(OPERATOR));
// Valid under U3/U4: a statement naming no SIM action takes `*` only.
const validStatementArb = statementArb.map((s) => (parseStatements([s]).ok ? s : { ...s, resources: ["*"] }));

describe("permission properties", () => {
  it("U3: a matching DENY always wins, wherever it stands", () => {
    fc.assert(
      fc.property(statementsArb, actionArb, resourceArb, fc.nat(), fc.nat(), (statements, action, target, at, pick) => {
        // A DENY whose resource names this resource: any of the SIM's own patterns for a SIM action, else `*`.
        const own =
          target.kind === "sim" && isSimAction(action)
            ? [
                `sim:imsi:${target.imsi}`,
                `sim:imsi:${target.imsi.slice(0, 3)}*`,
                "sim:*",
                ...target.tags.map((t) => `sim:tag:${t.name}=${t.value}`),
                ...(target.group ? [`sim:group:${target.group}`] : []),
              ]
            : ["*"];
        const blocking = deny([action], [own[pick % own.length]!]);
        const withDeny = [...statements];
        withDeny.splice(at % (statements.length + 1), 0, blocking);
        const decision = decide(withDeny, action, target);
        expect(decision.allowed).toBe(false);
        expect(withDeny[decision.decidingStatement!]!.effect).toBe("DENY");
      }),
    );
  });

  it("U3: an allowed decision has no matching DENY and names a matching ALLOW", () => {
    fc.assert(
      fc.property(statementsArb, actionArb, resourceArb, (statements, action, target) => {
        const decision = decide(statements, action, target);
        if (!decision.allowed) return;
        expect(statements[decision.decidingStatement!]!.effect).toBe("ALLOW");
        for (const [i, s] of statements.entries()) {
          if (s.effect === "DENY") expect(decide([{ ...s, effect: "ALLOW" }], action, target).allowed, `statement ${i}`).toBe(false);
        }
      }),
    );
  });

  it("U3: removing an ALLOW never grants more", () => {
    fc.assert(
      fc.property(statementsArb, actionArb, resourceArb, fc.nat(), (statements, action, target, at) => {
        const index = statements.findIndex((s, i) => s.effect === "ALLOW" && i >= at % (statements.length + 1));
        fc.pre(index >= 0);
        const fewer = statements.filter((_, i) => i !== index);
        if (decide(fewer, action, target).allowed) expect(decide(statements, action, target).allowed).toBe(true);
      }),
    );
  });

  it("U4: sim:imsi:<digits>* matches exactly the IMSIs that start with the digits, without * exactly the IMSI", () => {
    fc.assert(
      fc.property(digits(1, 15), simArb, fc.boolean(), (prefix, target, extend) => {
        const imsi = extend ? (prefix + target.imsi).slice(0, 15) : target.imsi;
        const subject = { ...target, imsi };
        expect(allowedOn(`sim:imsi:${prefix}*`, subject)).toBe(imsi.startsWith(prefix));
        expect(allowedOn(`sim:imsi:${prefix}`, subject)).toBe(imsi === prefix);
      }),
    );
  });

  it("U4: sim:tag:<name>=<value>* matches exactly the tag values that start with the value", () => {
    fc.assert(
      fc.property(tagValue, tagValue, fc.boolean(), (prefix, rest, extend) => {
        const value = extend ? prefix + rest : rest;
        const subject = sim({ tags: [{ name: "site", value }] });
        expect(allowedOn(`sim:tag:site=${prefix}*`, subject)).toBe(value.startsWith(prefix));
        expect(allowedOn(`sim:tag:site=${prefix}`, subject)).toBe(value === prefix);
        expect(allowedOn(`sim:tag:env=${prefix}*`, subject)).toBe(false);
      }),
    );
  });

  it("U3: one corrupted element refuses the whole set with the path of that element", () => {
    const corruptions = {
      effect: fc.constantFrom("allow", "PERMIT", ""),
      actions: fc.constantFrom("Sim:nope", "Nope:*", "", "sim:read", "User:createUser", "Sim:*x", `Sim:${"r".repeat(200)}`),
      resources: fc.constantFrom("sim:imsi:x", "sim:tag:a=b*c", "", "sim:group:a b", "operator", "sim:imsi:1234567890123456"),
    };
    const corruption = fc.oneof(
      corruptions.effect.map((value) => ({ field: "effect" as const, value })),
      corruptions.actions.map((value) => ({ field: "actions" as const, value })),
      corruptions.resources.map((value) => ({ field: "resources" as const, value })),
    );
    fc.assert(
      fc.property(fc.array(validStatementArb, { minLength: 1, maxLength: 8 }), fc.nat(), fc.nat(), corruption, (valid, si, ei, bad) => {
        expect(parseStatements(valid)).toEqual({ ok: true, statements: valid });
        const i = si % valid.length;
        const broken = valid.map((s) => ({ ...s, actions: [...s.actions], resources: [...s.resources] }));
        let path: (string | number)[];
        if (bad.field === "effect") {
          broken[i]!.effect = bad.value as "ALLOW";
          path = [i, "effect"];
        } else {
          const j = ei % broken[i]![bad.field].length;
          broken[i]![bad.field][j] = bad.value;
          path = [i, bad.field, j];
        }
        const result = parseStatements(broken);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.path).toEqual(path);
      }),
    );
  });

  it("U4, U6: matchesScope(simScope(s, a), sim) is exactly decide(s, a, sim).allowed", () => {
    fc.assert(
      fc.property(statementsArb, actionArb, simArb, (statements, action, target) => {
        expect(matchesScope(simScope(statements, action), target)).toBe(decide(statements, action, target).allowed);
      }),
    );
  });

  it("U6: when mayEver is false, no resource is allowed", () => {
    fc.assert(
      fc.property(statementsArb, actionArb, fc.array(resourceArb, { minLength: 1, maxLength: 8 }), (statements, action, targets) => {
        if (mayEver(statements, action)) return;
        for (const target of targets) expect(decide(statements, action, target).allowed).toBe(false);
      }),
    );
  });
});
