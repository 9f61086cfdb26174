// V1: which of a SIM's settings a change really changed (SIM_UPDATED names them; an update that
// changes nothing appends no event).
export interface SimSettings {
  name?: string;
  tags?: readonly { name: string; value: string }[];
}

/** GraphQL field names ("name", "tags") of the settings `after` gives that differ from `before`. */
export function changedSimFields(before: Required<SimSettings>, after: SimSettings): string[] {
  const fields: string[] = [];
  if (after.name !== undefined && after.name !== before.name) fields.push("name");
  if (after.tags !== undefined && tagKey(after.tags) !== tagKey(before.tags)) fields.push("tags");
  return fields;
}

function tagKey(tags: readonly { name: string; value: string }[]): string {
  return JSON.stringify(tags.map((t) => [t.name, t.value]).sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0)));
}
