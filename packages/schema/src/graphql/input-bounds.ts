// Every list and every text input of the schema has a maximum, stated in its description and
// carried in its `extensions.inputBounds`, which the server checks before anything executes
// (packages/server/src/input-limits.ts). An argument or input field states a larger or smaller
// bound with `extensions: { maxItems }` or `{ maxLength }`; every other one gets the defaults, so
// no list or string added later can arrive unbounded. Where a resolver refuses earlier with a
// userError (TOO_MANY_ITEMS, INVALID_INPUT), the bound here sits above that rule: it is the outer
// safety net that keeps huge input away from the resolvers, not the domain rule.
import SchemaBuilder, { BasePlugin, type PothosInputFieldConfig, type PothosInputFieldType, type SchemaTypes } from "@pothos/core";

/** Items in any list input that declares no `maxItems` (GitHub's `nodes(ids:)` takes 100). */
export const DEFAULT_MAX_ITEMS = 100;
/** Characters in any String or ID input that declares no `maxLength`. */
export const DEFAULT_MAX_LENGTH = 1000;

export interface InputBounds {
  /** Per list level; present on lists. */
  maxItems?: number;
  /** Present when the innermost type is String or ID. */
  maxLength?: number;
}

const TEXT_SCALARS = new Set(["String", "ID"]);

function nameOf(ref: unknown): string | undefined {
  if (typeof ref === "string") return ref;
  return (ref as { name?: string } | null)?.name;
}

function innermost<Types extends SchemaTypes>(type: PothosInputFieldType<Types>): { list: boolean; scalar: string | undefined } {
  let list = false;
  let current = type;
  while (current.kind === "List") {
    list = true;
    current = current.type;
  }
  return { list, scalar: current.kind === "Scalar" ? nameOf(current.ref) : undefined };
}

const formatted = (n: number) => n.toLocaleString("en");

/** The bounds an input with these extensions and this type gets. */
export function boundsFor(extensions: Record<string, unknown> | null | undefined, list: boolean, text: boolean): InputBounds {
  const bounds: InputBounds = {};
  if (list) bounds.maxItems = typeof extensions?.maxItems === "number" ? extensions.maxItems : DEFAULT_MAX_ITEMS;
  if (text) bounds.maxLength = typeof extensions?.maxLength === "number" ? extensions.maxLength : DEFAULT_MAX_LENGTH;
  return bounds;
}

/** The sentence each bounded input's description ends with. */
export function boundsSentence(bounds: InputBounds): string {
  const parts = [
    ...(bounds.maxItems !== undefined ? [`${formatted(bounds.maxItems)} items`] : []),
    ...(bounds.maxLength !== undefined ? [`${formatted(bounds.maxLength)} characters${bounds.maxItems !== undefined ? " each" : ""}`] : []),
  ];
  return `At most ${parts.join(", ")} (INPUT_LIMIT_EXCEEDED above, before execution).`;
}

export class InputBoundsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onInputFieldConfig(fieldConfig: PothosInputFieldConfig<Types>): PothosInputFieldConfig<Types> {
    const { list, scalar } = innermost(fieldConfig.type);
    const text = scalar !== undefined && TEXT_SCALARS.has(scalar);
    if (!list && !text) return fieldConfig;
    const bounds = boundsFor(fieldConfig.extensions, list, text);
    const sentence = boundsSentence(bounds);
    return {
      ...fieldConfig,
      description: fieldConfig.description ? `${fieldConfig.description} ${sentence}` : sentence,
      extensions: { ...fieldConfig.extensions, inputBounds: bounds },
    };
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      inputBounds: InputBoundsPlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin("inputBounds", InputBoundsPlugin);

/**
 * The outer bound of an input whose resolver already refuses past `ruleMax` with a userError: a
 * tenth above the rule, so that input just past the rule still gets the rule's own code.
 */
export const aboveRule = (ruleMax: number): number => Math.ceil(ruleMax * 1.1);
