// Persisted operations: the SDK's operations are registered by the SHA-256 of
// their text (packages/sdk/src/generated/persisted-operations.json, made by the SDK's codegen), and
// clients send `extensions.persistedQuery { version: 1, sha256Hash }` instead of the document.
// Modes (SIMGATE_PERSISTED_OPERATIONS):
//   off      no registry: every request carries its document text.
//   allow    registered hashes and ad-hoc documents are both accepted (default).
//   require  only registered hashes, except for the administrator and, with NODE_ENV=development,
//            any caller with a valid bearer token (GraphiQL keeps working for signed-in users).
// The refusal happens in onParams, before parsing and execution.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";
import { createGraphQLError, type Plugin } from "graphql-yoga";
import type { Config } from "./config.ts";
import { currentIdentity } from "./request-context.ts";

export type PersistedOperationsMode = "off" | "allow" | "require";

/** The SDK's generated manifest in this repository (the server reads the JSON, never SDK code). */
export const DEFAULT_MANIFEST_PATH = fileURLToPath(new URL("../../sdk/src/generated/persisted-operations.json", import.meta.url));

const HASH = /^[0-9a-f]{64}$/;

export class PersistedOperationsManifestError extends Error {}

/** Reads a manifest `{ operations: { <sha256 hex>: <document text> } }`; throws naming the file on any problem. */
export function loadPersistedOperations(path: string): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new PersistedOperationsManifestError(`Persisted operations: cannot read ${path}: ${(error as Error).message}`);
  }
  const operations = (parsed as { operations?: unknown } | null)?.operations;
  if (typeof operations !== "object" || operations === null || Array.isArray(operations)) {
    throw new PersistedOperationsManifestError(`Persisted operations: ${path} has no "operations" object`);
  }
  const store = new Map<string, string>();
  for (const [hash, body] of Object.entries(operations)) {
    if (!HASH.test(hash) || typeof body !== "string") {
      throw new PersistedOperationsManifestError(`Persisted operations: ${path}: entry ${JSON.stringify(hash.slice(0, 80))} is not <sha256 hex>: <document>`);
    }
    store.set(hash, body);
  }
  return store;
}

export interface PersistedOperationsOptions {
  mode: PersistedOperationsMode;
  store: ReadonlyMap<string, string>;
  /** In `require` mode: may this request send an ad-hoc document (admin secret, or development sign-in)? */
  maySendDocuments(request: Request): boolean | Promise<boolean>;
}

const refusal = (message: string, code: string) => () => createGraphQLError(message, { extensions: { code, http: { status: 400 } } });

/** The yoga plugin for the mode, or null for `off`. */
export function persistedOperationsPlugin({ mode, store, maySendDocuments }: PersistedOperationsOptions): Plugin | null {
  if (mode === "off") return null;
  return usePersistedOperations({
    getPersistedOperation: (hash) => store.get(hash) ?? null,
    allowArbitraryOperations: mode === "allow" ? true : (request) => maySendDocuments(request),
    customErrors: {
      // Apollo's and urql's clients recognise this code and fall back to sending the text.
      notFound: refusal("PersistedQueryNotFound: no operation registered on this server has this sha256Hash.", "PERSISTED_QUERY_NOT_FOUND"),
      persistedQueryOnly: refusal(
        "This server accepts only registered operations: send extensions.persistedQuery { version: 1, sha256Hash } of an operation of the Simgate SDK instead of a document.",
        "PERSISTED_QUERY_ONLY",
      ),
      keyNotFound: refusal("Send a GraphQL document in `query`, or a registered operation's hash in extensions.persistedQuery.sha256Hash.", "BAD_REQUEST"),
    },
  }) as Plugin;
}

/** The registered operations as configured: the manifest's (its file or the SDK's), none with `off`. */
export function registeredOperationsFor(config: Pick<Config, "SIMGATE_PERSISTED_OPERATIONS" | "SIMGATE_PERSISTED_OPERATIONS_FILE">): Map<string, string> {
  if (config.SIMGATE_PERSISTED_OPERATIONS === "off") return new Map();
  return loadPersistedOperations(config.SIMGATE_PERSISTED_OPERATIONS_FILE ?? DEFAULT_MANIFEST_PATH);
}

/** The plugin as configured: SIMGATE_PERSISTED_OPERATIONS, its manifest, and who may send documents in `require` mode. */
export function persistedOperationsFor(
  config: Pick<Config, "SIMGATE_PERSISTED_OPERATIONS" | "SIMGATE_PERSISTED_OPERATIONS_FILE" | "NODE_ENV">,
  store: ReadonlyMap<string, string> = registeredOperationsFor(config),
): Plugin | null {
  const mode = config.SIMGATE_PERSISTED_OPERATIONS;
  if (mode === "off") return null;
  const development = config.NODE_ENV === "development";
  return persistedOperationsPlugin({
    mode,
    store,
    // The identity the resolver context gets too (caller-identity.ts). A bearer that is neither
    // the admin secret nor a live token counts as anonymous.
    maySendDocuments: () => {
      const { isAdmin, viewer } = currentIdentity();
      return isAdmin || (development && viewer !== null);
    },
  });
}

/**
 * graphql-ws has no yoga request to run the plugin on: the same rules for one subscribe message.
 * Answers the document to run, or the refusal the HTTP side would give.
 */
export async function documentForMessage(
  payload: { query?: unknown; extensions?: Record<string, unknown> | null },
  options: Omit<PersistedOperationsOptions, "maySendDocuments"> & { maySendDocuments(): boolean },
): Promise<string | Error> {
  const persisted = payload.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
  if (options.mode !== "off" && typeof persisted?.sha256Hash === "string") {
    return options.store.get(persisted.sha256Hash) ?? refusal("PersistedQueryNotFound: no operation registered on this server has this sha256Hash.", "PERSISTED_QUERY_NOT_FOUND")();
  }
  if (typeof payload.query !== "string" || payload.query.length === 0) {
    return refusal("Send a GraphQL document in `query`, or a registered operation's hash in extensions.persistedQuery.sha256Hash.", "BAD_REQUEST")();
  }
  if (options.mode === "require" && !options.maySendDocuments()) {
    return refusal(
      "This server accepts only registered operations: send extensions.persistedQuery { version: 1, sha256Hash } of an operation of the Simgate SDK instead of a document.",
      "PERSISTED_QUERY_ONLY",
    )();
  }
  return payload.query;
}
