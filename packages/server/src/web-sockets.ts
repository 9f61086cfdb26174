// GraphQL over WebSocket (graphql-ws) on the HTTP server's port and path (/graphql), following
// graphql-yoga's documented integration: each operation is parsed, validated, executed or
// subscribed through yoga's envelop (getEnveloped), so the query limits (tokens, depth, aliases,
// directives, cost), input limits, storable text and rate limits apply as they do over HTTP.
// What yoga does per HTTP request before envelop is done here per message: the caller's identity
// (caller-identity.ts: the same resolver, once per connection, from `connectionParams.authorization`
// or the upgrade request's Authorization header), the variables' size and persisted operations.
// Every operation runs inside requestScope with that identity, its viewer read again first (U8),
// so a socket whose token has expired or been revoked runs as nobody.
import type { IncomingMessage, Server } from "node:http";
import { GraphQLError, type ExecutionArgs } from "graphql";
import type { YogaServerInstance } from "graphql-yoga";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { bearerIn, type IdentityAnswer } from "./caller-identity.ts";
import { variablesProblem } from "./input-limits.ts";
import { documentForMessage, type PersistedOperationsMode } from "./persisted-operations.ts";
import { clientIp } from "./rate-limit.ts";
import { requestIdFrom, requestScope, type Identity, type RequestScope } from "./request-context.ts";
import type { Logger } from "./logger.ts";

export interface WebSocketOptions {
  server: Server;
  path: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  yoga: YogaServerInstance<any, any>;
  resolveIdentity(bearer: string | null, ip: () => string): Promise<IdentityAnswer>;
  trustProxy: boolean;
  maxMessageBytes: number;
  variablesBytes: number;
  persisted: { mode: PersistedOperationsMode; store: ReadonlyMap<string, string>; development: boolean };
  logger: Logger;
}

interface SocketState {
  identity?: Identity;
}

type Roots = { execute(args: ExecutionArgs): unknown; subscribe(args: ExecutionArgs): unknown; scope: RequestScope };

/** A fetch Request carrying the upgrade request's headers: plugins read headers from `context.request`. */
function requestOf(req: IncomingMessage, path: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(", "));
  }
  return new Request(`http://${req.headers.host ?? "localhost"}${path}`, { headers });
}

export interface WebSocketEndpoint {
  /** Completes every operation and closes every socket (1001), then the listener. */
  close(): Promise<void>;
}

export function serveWebSockets(options: WebSocketOptions): WebSocketEndpoint {
  const { yoga, path, logger } = options;
  const wsServer = new WebSocketServer({ server: options.server, path, maxPayload: options.maxMessageBytes });
  const states = new WeakMap<object, SocketState>();

  const disposable = useServer<{ authorization?: unknown } | undefined, { state?: SocketState }>(
    {
      execute: (args) => {
        const roots = args.rootValue as Roots;
        return requestScope.run(roots.scope, () => roots.execute(args)) as never;
      },
      subscribe: (args) => {
        const roots = args.rootValue as Roots;
        return requestScope.run(roots.scope, () => roots.subscribe(args)) as never;
      },
      async onConnect(ctx) {
        const request = ctx.extra.request;
        const fromParams = ctx.connectionParams?.authorization;
        const bearer = bearerIn(typeof fromParams === "string" ? fromParams : request.headers.authorization);
        const answer = await options.resolveIdentity(bearer, () => clientIp({ request: requestOf(request, path), req: request }, options.trustProxy));
        // Too many failed credentials from this address: graphql-ws closes with 4403 Forbidden.
        if (!("identity" in answer)) return false;
        states.set(ctx, { identity: answer.identity });
        return true;
      },
      async onSubscribe(ctx, _id, payload) {
        const connection = states.get(ctx)?.identity;
        if (!connection) return [new GraphQLError("Not connected.", { extensions: { code: "UNAUTHENTICATED" } })];
        // U8, O3: the token's session as it is now; one that ended leaves the socket anonymous.
        const viewer = connection.refresh ? await connection.refresh() : connection.viewer;
        const identity: Identity = viewer ? { ...connection, viewer } : { isAdmin: connection.isAdmin, viewer: null };
        const tooLarge = variablesProblem(payload.variables, { variablesBytes: options.variablesBytes });
        if (tooLarge) return [tooLarge];
        const document = await documentForMessage(payload, {
          mode: options.persisted.mode,
          store: options.persisted.store,
          maySendDocuments: () => identity.isAdmin || (options.persisted.development && identity.viewer !== null),
        });
        if (document instanceof Error) return [document as GraphQLError];
        const scope: RequestScope = { requestId: requestIdFrom(null), identity };
        return requestScope.run(scope, async () => {
          const request = ctx.extra.request;
          const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
            ...ctx,
            req: request,
            socket: ctx.extra.socket,
            request: requestOf(request, path),
            params: { ...payload, query: document },
          });
          let parsed;
          try {
            parsed = parse(document);
          } catch (error) {
            return [error instanceof GraphQLError ? error : new GraphQLError((error as Error).message)];
          }
          const errors = validate(schema, parsed);
          if (errors.length > 0) return errors;
          const args: ExecutionArgs = {
            schema,
            operationName: payload.operationName,
            document: parsed,
            variableValues: payload.variables,
            contextValue: await contextFactory(),
            rootValue: { execute, subscribe, scope } satisfies Roots,
          };
          return args;
        });
      },
      onError(_ctx, _id, _payload, errors) {
        logger.debug({ errors: errors.map((e) => e.message) }, "graphql-ws operation refused");
      },
    },
    wsServer,
  );

  return {
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
