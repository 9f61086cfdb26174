// Every fenced code block of the user-facing documentation runs against a real server, so the docs
// cannot drift from the API: ```graphql blocks as a signed-up operator (no errors, no userErrors),
// ```ts blocks as complete ESM programs run with tsx (importing "@simgate/sdk", reading SIMGATE_*
// from the environment as the docs tell the reader), ```sh/```bash blocks with curl with the
// server's URL put in, ```json blocks must parse. The install/start/test commands are compared
// with what CI runs (.ci/run, package.json). A block that cannot run says so in its info string
// (```ts signature, ```sh norun: why, ```text), and those are listed. Once, on SQLite: the
// examples exercise the documentation, not the engine.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp } from "./support/accounts.ts";
import { ADMIN_SECRET, type Harness } from "./support/harness.ts";
import { killServersAfterAll, startServerProcess, type ServerProcess } from "./support/server-process.ts";
import { newSimSpec, ownSims, provision } from "./support/sims.ts";
import { createTestDatabase } from "./support/test-database.ts";
import { payByCard } from "./support/transfers.ts";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../../..");
const read = (path: string) => readFileSync(join(root, path), "utf8");

const DOCUMENTS = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`),
  "packages/sdk/README.md",
  "CONTRIBUTING.md",
];

interface Block {
  file: string;
  line: number;
  lang: string;
  /** What follows the language in the info string (`signature`, `norun: why`). */
  marker: string;
  code: string;
}

function blocksOf(file: string): Block[] {
  const lines = read(file).split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = lines[i]!.match(/^( *)```(\S*)\s*(.*)$/);
    if (!open) continue;
    const indent = open[1]!;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && lines[j] !== `${indent}\`\`\``) body.push(lines[j++]!.slice(indent.length));
    blocks.push({ file, line: i + 1, lang: open[2]!, marker: open[3]!.trim(), code: body.join("\n") });
    i = j;
  }
  return blocks;
}

const blocks = DOCUMENTS.flatMap(blocksOf);
const KNOWN = new Set(["graphql", "ts", "sh", "bash", "json", "text"]);
const notRunnable = (b: Block) => b.lang === "text" || /^(signature|norun\b)/.test(b.marker);
const isCommands = (b: Block) => (b.lang === "sh" || b.lang === "bash") && b.code.includes("npx -y pnpm@");
const where = (b: Block) => `${b.file}:${b.line} (${b.lang}${b.marker ? ` ${b.marker}` : ""})`;

/** Every non-empty `userErrors` list anywhere in a response. */
function userErrorsIn(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(userErrorsIn);
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === "userErrors" && Array.isArray(inner) && inner.length > 0 ? [inner] : userErrorsIn(inner)));
}

describe.skipIf(process.env.SIMGATE_TEST_DB === "postgres")("documentation examples", () => {
  let server: ServerProcess;
  let client: Harness;
  let url: string;
  let dropDatabase: () => Promise<void>;
  let programs: string;

  killServersAfterAll();

  beforeAll(async () => {
    const database = await createTestDatabase();
    dropDatabase = database.drop;
    // The examples add the same few addresses for several operators: the hourly mail budgets are
    // not what they show.
    server = await startServerProcess(database.url, {
      SIMGATE_VERIFICATION_MAIL_PER_ADDRESS_PER_HOUR: "0",
      SIMGATE_VERIFICATION_MAIL_PER_OPERATOR_PER_HOUR: "0",
      // The SDK's webhook example receives on a loopback port, as a developer's machine does (V7).
      SIMGATE_WEBHOOK_ALLOW_PRIVATE: "true",
    });
    client = server.client;
    url = `http://127.0.0.1:${server.port}/graphql`;
    // Programs import "@simgate/sdk" as a reader's project does: from its node_modules.
    programs = mkdtempSync(join(tmpdir(), "simgate-docs-"));
    mkdirSync(join(programs, "node_modules", "@simgate"), { recursive: true });
    symlinkSync(join(root, "packages/sdk"), join(programs, "node_modules", "@simgate", "sdk"), "dir");
  }, 120_000);

  afterAll(async () => {
    if (programs) rmSync(programs, { recursive: true, force: true });
    await server?.stop();
    await dropDatabase?.();
  });

  /** What a reader has when running an example: a new operator with SIMs, an auth key, a partner, a SIM card. */
  async function readerEnvironment(): Promise<Record<string, string>> {
    const op = await signUp(client);
    await ownSims(client, op, 4, (i) => ({ coverage: i % 2 === 0 ? "GLOBAL" : "JAPAN" }));
    const key = await client.ok(
      `mutation($password: String) { createAuthKey(input: { password: $password }) { authKeyId authKey userErrors { code } } }`,
      { password: op.password },
      op.token,
    );
    expect(key.createAuthKey.userErrors).toEqual([]);
    const partner = await signUp(client);
    await payByCard(client, partner);
    const card = newSimSpec();
    expect((await provision(client, [card])).userErrors).toEqual([]);
    return {
      SIMGATE_URL: url,
      SIMGATE_TOKEN: op.token,
      SIMGATE_AUTH_KEY_ID: key.createAuthKey.authKeyId,
      SIMGATE_AUTH_KEY: key.createAuthKey.authKey,
      SIMGATE_ADMIN_SECRET: ADMIN_SECRET,
      SIMGATE_PARTNER_TOKEN: partner.token,
      SIMGATE_IMSI: card.imsi,
      SIMGATE_REGISTRATION_SECRET: card.registrationSecret,
    };
  }

  let programOutcomes: Promise<Record<string, string>> | undefined;

  /**
   * Runs every ```ts block, each in its own reader's environment, one after another in one tsx
   * process (a process per block would spend most of the time starting tsx): the runner sets the
   * block's environment, imports it (top-level await included) and records "ok" or the error.
   */
  async function runPrograms(): Promise<Record<string, string>> {
    const manifest: { name: string; file: string; env: Record<string, string> }[] = [];
    for (const block of blocks.filter((b) => b.lang === "ts" && !notRunnable(b))) {
      const file = join(programs, `example-${manifest.length}.mts`);
      writeFileSync(file, block.code);
      manifest.push({ name: where(block), file, env: await readerEnvironment() });
    }
    writeFileSync(join(programs, "manifest.json"), JSON.stringify(manifest));
    writeFileSync(
      join(programs, "runner.mts"),
      `import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const manifest = JSON.parse(readFileSync(process.argv[2], "utf8"));
const outcomes = {};
const original = { ...process.env };
for (const { name, file, env } of manifest) {
  for (const key of Object.keys(process.env)) if (!(key in original)) delete process.env[key];
  Object.assign(process.env, env);
  try {
    await import(pathToFileURL(file).href);
    outcomes[name] = "ok";
  } catch (error) {
    outcomes[name] = String(error?.stack ?? error);
  }
}
writeFileSync(process.argv[3], JSON.stringify(outcomes));
process.exit(0);
`,
    );
    const report = join(programs, "outcomes.json");
    await run(process.execPath, ["--import", "tsx", join(programs, "runner.mts"), join(programs, "manifest.json"), report], { cwd: root, timeout: 120_000 });
    return JSON.parse(readFileSync(report, "utf8")) as Record<string, string>;
  }

  it("every block has a known language; the few that cannot run say so and are listed", () => {
    expect(blocks.filter((b) => !KNOWN.has(b.lang)).map(where)).toEqual([]);
    const listed = blocks.filter(notRunnable).map(where);
    console.info(`documentation blocks not run:\n  ${listed.join("\n  ")}`);
    expect(listed.length).toBeLessThanOrEqual(6);
  });

  it("the install, start and test commands are the ones CI runs, at the pinned pnpm", () => {
    const ci = read(".ci/run");
    const pkg = JSON.parse(read("package.json")) as { scripts: Record<string, string>; engines: { node: string } };
    const pinned = ci.match(/npx -y pnpm@(\S+) "\$@"/)?.[1];
    expect(pinned).toBeDefined();
    expect(ci).toContain("pnpm install --frozen-lockfile && pnpm test");
    const commands = blocks.filter(isCommands);
    for (const block of commands) {
      for (const line of block.code.split("\n").filter((l) => l.trim() && !l.trim().startsWith("#"))) {
        for (const part of line.split("&&").map((p) => p.trim())) {
          const call = part.match(/^npx -y pnpm@(\S+) (\S+)(.*)$/);
          expect(call, `${where(block)}: ${part}`).not.toBeNull();
          expect(call![1], where(block)).toBe(pinned);
          const [command, rest] = [call![2]!, call![3]!.trim()];
          if (command === "install") expect(["", "--frozen-lockfile"]).toContain(rest);
          else if (command === "exec") expect(existsSync(join(root, "node_modules/.bin", rest.split(" ")[0]!)), part).toBe(true);
          else expect(pkg.scripts, part).toHaveProperty(command);
        }
      }
    }
    const readme = commands.filter((b) => b.file === "README.md").map((b) => b.code).join("\n");
    expect(readme).toContain(`npx -y pnpm@${pinned} install && npx -y pnpm@${pinned} start`);
    expect(readme).toContain(`npx -y pnpm@${pinned} install --frozen-lockfile && npx -y pnpm@${pinned} test`);
    // Supported: 20.12+ (end of life, still tested), 22 and 24 LTS.
    expect(pkg.engines.node).toBe("^20.12 || ^22 || ^24");
    expect(read("README.md")).toContain("Node.js 20.12+, 22 or 24");
  });

  // In document order: the README's sign-up makes the account its curl example signs in to.
  for (const block of blocks.filter((b) => !notRunnable(b) && !isCommands(b))) {
    it(`${where(block)} runs`, async () => {
      if (block.lang === "json") {
        expect(() => JSON.parse(block.code)).not.toThrow();
      } else if (block.lang === "graphql") {
        const op = await signUp(client);
        const result = await client.gql(block.code, {}, op.token);
        expect(result.errors, where(block)).toBeUndefined();
        expect(userErrorsIn(result.data), where(block)).toEqual([]);
      } else if (block.lang === "ts") {
        const outcomes = await (programOutcomes ??= runPrograms());
        expect(outcomes[where(block)], where(block)).toBe("ok");
      } else {
        expect(block.code, `${where(block)}: a shell example calls the API with curl`).toContain("curl");
        const script = block.code.replaceAll("http://localhost:4000", `http://127.0.0.1:${server.port}`).replaceAll("localhost:4000", `127.0.0.1:${server.port}`);
        const { stdout } = await run("bash", ["-euo", "pipefail", "-c", script], { cwd: root, timeout: 60_000 });
        const answers = stdout.split("\n").filter((l) => l.trim().startsWith("{")).map((l) => JSON.parse(l) as { data?: Record<string, unknown>; errors?: unknown });
        expect(answers.length, where(block)).toBeGreaterThan(0);
        for (const answer of answers) {
          expect(answer.errors, where(block)).toBeUndefined();
          for (const [field, value] of Object.entries(answer.data ?? {})) expect(value, `${where(block)}: ${field}`).not.toBeNull();
          expect(userErrorsIn(answer.data), where(block)).toEqual([]);
        }
      }
    });
  }
});
