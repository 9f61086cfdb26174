/** The `fetch` the client calls: the platform's, or one the application passes in. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
