// Reads a V8 .cpuprofile and aggregates samples by function + script: self time (samples whose
// top frame is the function) and inclusive time (samples with the function anywhere on the stack,
// counted once per sample however often it recurses). Samples before the first one whose stack
// holds `from` (a frame of the load's work) are left out: start-up is not the hot path.
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, resolve } from "node:path";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const maps = new Map<string, SourceMap | null>();

/** The compiled bundle's frames named by their TypeScript source (its .map beside it). */
function original(url: string, line: number, column: number): { url: string; line: number } {
  if (!url.endsWith(".mjs")) return { url, line };
  const file = url.replace(/^file:\/\//, "");
  if (!maps.has(file)) maps.set(file, existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8"))) : null);
  const entry = maps.get(file)?.findEntry(line, column) as { originalSource?: string; originalLine?: number } | undefined;
  return entry?.originalSource ? { url: resolve(dirname(file), entry.originalSource), line: entry.originalLine ?? line } : { url, line };
}

function label(node: Node): string {
  const { functionName, columnNumber } = node.callFrame;
  const { url, line: lineNumber } = original(node.callFrame.url, node.callFrame.lineNumber, columnNumber);
  const where = url.replace(/^file:\/\//, "").replace(/.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, "").replace(/.*\/(packages|bench|scripts)\//, "$1/");
  return `${functionName || "(anonymous)"} ${where}${where ? `:${lineNumber + 1}` : ""}`;
}

export function summarise(path: string, top = 30, from?: string): string {
  const profile = JSON.parse(readFileSync(path, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const stackOf = (id: number) => {
    const labels: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) labels.push(label(byId.get(at)!));
    return labels;
  };
  const first = from === undefined ? 0 : profile.samples.findIndex((id) => stackOf(id).some((l) => l.startsWith(`${from} `)));
  let total = 0;
  profile.samples.forEach((id, i) => {
    if (i < first) return;
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const leaf = label(byId.get(id)!);
    self.set(leaf, (self.get(leaf) ?? 0) + dt);
    for (const l of new Set(stackOf(id))) inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
  });
  const table = (title: string, m: Map<string, number>) =>
    [`${title} (of ${(total / 1000).toFixed(0)} ms sampled)`, "", "| % | ms | frame |", "|---|---|---|",
      ...[...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([l, t]) => `| ${((100 * t) / total).toFixed(1)} | ${(t / 1000).toFixed(0)} | \`${l}\` |`)].join("\n");
  // Self time by where the code lives: our source file, or the package.
  const byPlace = new Map<string, number>();
  for (const [l, t] of self) {
    const where = l.endsWith(" ") ? "" : l.slice(l.indexOf(" ") + 1).replace(/:\d+$/, "");
    const place = where.startsWith("packages/") ? where : where.startsWith("@") ? where.split("/").slice(0, 2).join("/") : where.split("/")[0] || l.trim();
    byPlace.set(place, (byPlace.get(place) ?? 0) + t);
  }
  return `${table("Self time", self)}\n\n${table("Inclusive time", inclusive)}\n\n${table("Self time by source file or package", byPlace)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(summarise(process.argv[2]!, Number(process.argv[3] ?? 30), process.argv[4]));
