// Every connection method is callable for one page and has `iterate` (for await over every node,
// page by page) and `collect` (into an array, up to a limit). Pages always ask for an explicit
// size (`first`), so the server's default never decides how much a loop fetches. Call options
// (timeoutMs, signal) come last and apply to every page request.
import type { CallOptions } from "./call-options.ts";

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface Page<T> {
  nodes: T[];
  /** How many items match, across all pages. */
  totalCount: number;
  /** Pass `endCursor` as `after` for the next page. */
  pageInfo: PageInfo;
}

export interface PageArgs {
  /** Page size (default: the client's pageSize). */
  first?: number;
  /** The previous page's pageInfo.endCursor. */
  after?: string | null;
}

export interface IterateArgs {
  /** Items per request (default: the client's pageSize). */
  pageSize?: number;
  /** Start after this cursor. */
  after?: string | null;
}

export interface CollectArgs extends IterateArgs {
  /** Stop after this many items (default: all). */
  limit?: number;
}

/** Arguments, then call options; arguments may be left out when every one of them is optional. */
type ArgsAndOptions<A, P> = {} extends A ? [args?: A & P, options?: CallOptions] : [args: A & P, options?: CallOptions];

export interface ConnectionMethod<A extends object, T> {
  /** One page. */
  (...args: ArgsAndOptions<A, PageArgs>): Promise<Page<T>>;
  /** Every item, fetched page by page as the loop asks for them. */
  iterate(...args: ArgsAndOptions<A, IterateArgs>): AsyncGenerator<T, void, undefined>;
  /** Items into an array, page by page, stopping at `limit`. */
  collect(...args: ArgsAndOptions<A, CollectArgs>): Promise<T[]>;
}

export type FetchPage<A, T> = (args: A & { first: number; after: string | null }, options: CallOptions | undefined) => Promise<Page<T>>;

function checkSize(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

export function connectionMethod<A extends object, T>(fetchPage: FetchPage<A, T>, defaultPageSize: number): ConnectionMethod<A, T> {
  async function* iterateLimited(args: Partial<A> & CollectArgs, options: CallOptions | undefined): AsyncGenerator<T, void, undefined> {
    const { pageSize, limit, after, ...rest } = args;
    const size = checkSize("pageSize", pageSize ?? defaultPageSize);
    if (limit !== undefined && !(limit >= 0)) throw new RangeError(`limit must not be negative, got ${limit}`);
    let remaining = limit ?? Infinity;
    let cursor: string | null = after ?? null;
    while (remaining > 0) {
      const first = Math.min(size, remaining);
      const page = await fetchPage({ ...(rest as A), first, after: cursor }, options);
      for (const node of page.nodes.slice(0, first)) {
        yield node;
        remaining -= 1;
      }
      const next = page.pageInfo.endCursor;
      // Stop on the last page, and on a server that would send the same page forever.
      if (!page.pageInfo.hasNextPage || next === null || next === cursor || page.nodes.length === 0) return;
      cursor = next;
    }
  }

  const page = (args: Partial<A> & PageArgs = {}, options?: CallOptions) => {
    const { first, after, ...rest } = args;
    return fetchPage({ ...(rest as A), first: checkSize("first", first ?? defaultPageSize), after: after ?? null }, options);
  };
  const iterate = (args: Partial<A> & IterateArgs = {}, options?: CallOptions) => iterateLimited(args, options);
  const collect = async (args: Partial<A> & CollectArgs = {}, options?: CallOptions) => {
    const items: T[] = [];
    for await (const item of iterateLimited(args, options)) items.push(item);
    return items;
  };
  return Object.assign(page, { iterate, collect }) as unknown as ConnectionMethod<A, T>;
}

/** Maps a GraphQL connection (edges { node }) to a Page. */
export function pageOf<N>(connection: { totalCount: number; pageInfo: PageInfo; edges: { node: N }[] }): Page<N> {
  return { nodes: connection.edges.map((edge) => edge.node), totalCount: connection.totalCount, pageInfo: connection.pageInfo };
}
