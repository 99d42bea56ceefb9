import type { MemosApp } from "./types.js";

const INFO = {
  openapi: "3.1.0",
  info: {
    title: "MemOS-TS REST API",
    version: "0.1.0",
    description:
      "MemOS v2's product API (field names as MemOS writes them; every answer in its envelope {code, message, data}), plus users, cubes and API keys. " +
      "Send `Authorization: Bearer <key>` once any key exists; errors are {code, message, hint, error} with the HTTP status.",
  },
  security: [{ bearer: [] }],
};

type OpenApiDoc = {
  paths?: Record<
    string,
    Record<
      string,
      {
        summary?: string;
        description?: string;
        tags?: string[];
        requestBody?: unknown;
        parameters?: unknown[];
        responses?: Record<string, unknown>;
      }
    >
  >;
  components?: { schemas?: Record<string, unknown> };
};

/** `/openapi.json` (OpenAPI 3.1, generated from the routes' zod schemas) and `/docs`, a self-contained reference page. */
export function registerDocs(app: MemosApp): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "an API key from `memos key create --user NAME`",
  });
  app.doc31("/openapi.json", INFO);
  let page: string | undefined;
  app.get("/docs", (c) => {
    page ??= renderDocs(app.getOpenAPI31Document(INFO) as OpenApiDoc);
    return c.html(page);
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const json = (v: unknown) => escapeHtml(JSON.stringify(v, null, 2));

/** One HTML page, no script, no CDN: every route with its request and response schemas. */
export function renderDocs(doc: OpenApiDoc): string {
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = op.tags?.[0] ?? "other";
      const body = (op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)
        ?.content?.["application/json"]?.schema;
      const ok = (op.responses?.["200"] as { content?: Record<string, { schema?: unknown }> } | undefined)
        ?.content?.["application/json"]?.schema;
      const section = [
        `<section id="${escapeHtml(`${method}-${path}`)}"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>`,
        op.summary ? `<p>${escapeHtml(op.summary)}</p>` : "",
        op.description ? `<p class="d">${escapeHtml(op.description)}</p>` : "",
        op.parameters?.length
          ? `<details><summary>parameters</summary><pre>${json(op.parameters)}</pre></details>`
          : "",
        body ? `<details><summary>request body</summary><pre>${json(body)}</pre></details>` : "",
        ok ? `<details><summary>200 response</summary><pre>${json(ok)}</pre></details>` : "",
        "</section>",
      ];
      byTag.set(tag, [...(byTag.get(tag) ?? []), section.join("")]);
    }
  }
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(
      ([name, s]) =>
        `<details id="schema-${escapeHtml(name)}"><summary>${escapeHtml(name)}</summary><pre>${json(s)}</pre></details>`,
    )
    .join("");
  const toc = [...byTag.keys()]
    .map((t) => `<a href="#tag-${escapeHtml(t)}">${escapeHtml(t)}</a>`)
    .join(" · ");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>MemOS-TS API</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #ddd;margin-top:2rem}h3{font-size:1rem;margin:.2rem 0}
section{margin:1rem 0;padding:.5rem .8rem;border-left:3px solid #eee}.d{color:#555}
.m{display:inline-block;min-width:3.5rem;font-size:.8rem;color:#fff;border-radius:3px;padding:0 .3rem;text-align:center}
.get{background:#2b7}.post{background:#27c}.delete{background:#c33}
pre{background:#f6f6f6;padding:.6rem;overflow:auto;font-size:.8rem}summary{cursor:pointer;color:#27c}
</style></head><body><h1>MemOS-TS REST API</h1>
<p>OpenAPI 3.1 document: <a href="/openapi.json">/openapi.json</a>. Authenticate with <code>Authorization: Bearer &lt;key&gt;</code>
(<code>memos key create --user NAME</code>). Answers: <code>{code, message, data}</code>; errors: <code>{code, message, hint, error}</code> with the HTTP status.</p>
<p>${toc}</p>
${[...byTag.entries()].map(([tag, ops]) => `<h2 id="tag-${escapeHtml(tag)}">${escapeHtml(tag)}</h2>${ops.join("")}`).join("")}
<h2>schemas</h2>${schemas}</body></html>`;
}
