// GraphiQL with every asset in the page itself (script, styles, editor workers, favicon), so it
// works where the yoga default's CDN (unpkg.com) is unreachable, and under a Content-Security-Policy
// that allows nothing but this server.
//
// The renderer's module is loaded on the first request for the page, not at start: its source and
// the page it renders take some 45 MB of heap, which a server nobody opens GraphiQL on (or one
// with GraphiQL off) should not carry.
import { createHash } from "node:crypto";
import type { GraphiQLOptions, Plugin } from "graphql-yoga";

const OPTIONS_ELEMENT_ID = "graphiql-options";

let last: { options: string; html: string } | undefined;
let renderer: Promise<typeof import("@graphql-yoga/render-graphiql")> | undefined;

/**
 * The bundled renderer writes the options into its inline script; they move into a JSON data block
 * (never executed, so outside script-src) and the script reads them from there. The executable
 * script is then the same for any options, so one hash in the policy covers every page.
 */
export async function renderSelfContainedGraphiQL(options: GraphiQLOptions = {}): Promise<string> {
  const inlineOptions = JSON.stringify(options);
  // The page is some 9 MB; the options are normally the same on every request, so is the page.
  if (last?.options === inlineOptions) return last.html;
  const { renderGraphiQL } = await (renderer ??= import("@graphql-yoga/render-graphiql"));
  const html = renderGraphiQL(options);
  const call = html.lastIndexOf("renderYogaGraphiQL(");
  const at = html.indexOf(inlineOptions, call);
  if (call < 0 || at < 0) throw new Error("GraphiQL page: the bundled renderer no longer has the expected shape");
  const readOptions = `JSON.parse(document.getElementById(${JSON.stringify(OPTIONS_ELEMENT_ID)}).textContent)`;
  // `<` escaped: a title holding "</script>" cannot end the data block.
  const dataBlock = `<script type="application/json" id="${OPTIONS_ELEMENT_ID}">${inlineOptions.replace(/</g, "\\u003c")}</script>\n`;
  const withReader = html.slice(0, at) + readOptions + html.slice(at + inlineOptions.length);
  const body = withReader.indexOf("<div id=\"root\"></div>");
  last = { options: inlineOptions, html: withReader.slice(0, body) + dataBlock + withReader.slice(body) };
  return last.html;
}

/** The executable inline scripts of a page (data blocks and src= scripts excluded). */
function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/g)]
    .filter(([, attributes = ""]) => !/\b(type|src)\s*=/.test(attributes))
    .map(([, , source]) => source!);
}

function sha256Sources(html: string): string[] {
  return inlineScripts(html).map((source) => `'sha256-${createHash("sha256").update(source, "utf8").digest("base64")}'`);
}

/**
 * default-src 'self': anything not listed below may come from this server only.
 * script-src: the page's one inline script by hash, nothing else (no eval, no other origin).
 * style-src 'unsafe-inline': the bundled CSS is an inline <style>, and the editor adds style elements at run time.
 * img-src/font-src data:: the favicon and the editor's icon font are data: URLs in the bundle.
 * worker-src blob:: the editor's language workers are built from blobs by the inline script.
 * connect-src 'self': queries, and subscriptions over SSE, go to this server's /graphql.
 * object-src/base-uri 'none', form-action 'self', frame-ancestors 'none': no plugins, no <base>
 * redirection, no posting elsewhere, no framing (the page holds a bearer token).
 */
export async function graphiqlContentSecurityPolicy(): Promise<string> {
  const scripts = sha256Sources(await renderSelfContainedGraphiQL()).join(" ");
  return [
    "default-src 'self'",
    `script-src ${scripts}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Puts the policy on the GraphiQL page, the only HTML yoga serves (API responses are not rendered). */
export function useGraphiQLContentSecurityPolicy(): Plugin {
  // Worked out with the first page (the page was rendered for it just before, so this is quick).
  let policy: Promise<string> | undefined;
  return {
    onResponse({ response }) {
      if (!response.headers.get("content-type")?.startsWith("text/html")) return;
      policy ??= graphiqlContentSecurityPolicy().catch((error: unknown) => {
        policy = undefined;
        throw error;
      });
      return policy.then((value) => void response.headers.set("content-security-policy", value));
    },
  };
}
