// Memories: list (newest first), full-text and semantic (fast/fine) search, filters, paging.
import { api, filterOf, fmtDate, h, product } from "./dom.js";

const TYPES = ["WorkingMemory", "LongTermMemory", "UserMemory", "OuterMemory", "PreferenceMemory"];
const FIELDS = ["q", "mode", "type", "tag", "session", "from", "to"];
const PAGE = 25;

function go(params) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) qs.set(k, v);
  location.hash = `#/memories?${qs}`;
}

export function memoryCard(cube, m) {
  const md = m.metadata ?? {};
  return h(
    "a",
    {
      class: "card",
      href: `#/memory?cube=${encodeURIComponent(cube)}&id=${encodeURIComponent(m.id)}`,
      dataset: { id: m.id },
    },
    h("div", { class: "text" }, m.memory),
    h(
      "div",
      { class: "chips" },
      h("span", { class: "chip type" }, md.memory_type ?? "memory"),
      m.score !== undefined
        ? h("span", { class: "chip score", title: "score" }, Number(m.score).toFixed(3))
        : null,
      (md.tags ?? []).slice(0, 6).map((t) => h("span", { class: "chip" }, `#${t}`)),
      md.session_id ? h("span", { class: "chip" }, `session ${md.session_id}`) : null,
      h("span", { class: "chip" }, fmtDate(md.created_at)),
    ),
  );
}

/** A page of the cube (browser API), a full-text search (browser API) or a semantic one (/product/search). */
async function load(cube, cur, offset, searching) {
  if (!searching || cur.mode === "text" || !cur.mode)
    return api("memories", { query: { cube, ...cur, mode: "text", limit: PAGE, offset } });
  const found = await product("search", {
    query: cur.q,
    readable_cube_ids: [cube],
    mode: cur.mode,
    top_k: PAGE,
    include_preference: false,
    filter: filterOf(cur),
  });
  const memories = (found.text_mem[0]?.memories ?? []).map((m) => ({ ...m, score: m.metadata.relativity }));
  return { mode: cur.mode, memories, total: memories.length, warnings: found.warnings };
}

export async function renderList({ cube, params, view }) {
  const cur = Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? ""]));
  const offset = Number(params.get("offset") ?? 0) || 0;
  const input = (name, attrs) => h("input", { name, value: cur[name], ...attrs });
  const form = h(
    "form",
    {
      class: "panel",
      role: "search",
      onsubmit: (e) => {
        e.preventDefault();
        go(Object.fromEntries(new FormData(e.target)));
      },
    },
    h(
      "div",
      { class: "searchbar" },
      input("q", {
        type: "search",
        placeholder: "Search memories…",
        "aria-label": "search",
        autofocus: true,
      }),
      h(
        "select",
        { name: "mode", "aria-label": "search mode" },
        [
          ["text", "Full text"],
          ["fast", "Semantic (fast)"],
          ["fine", "Semantic (fine, LLM)"],
        ].map(([v, l]) => h("option", { value: v, selected: cur.mode === v }, l)),
      ),
      h("button", { class: "primary", type: "submit" }, "Search"),
    ),
    h(
      "div",
      { class: "filters" },
      h(
        "label",
        {},
        "Type",
        h(
          "select",
          { name: "type" },
          h("option", { value: "" }, "any"),
          TYPES.map((t) => h("option", { value: t, selected: cur.type === t }, t)),
        ),
      ),
      h("label", {}, "Tag", input("tag", { placeholder: "tag" })),
      h("label", {}, "Session", input("session", { placeholder: "session id" })),
      h("label", {}, "From", input("from", { type: "date" })),
      h("label", {}, "To", input("to", { type: "date" })),
      h("button", { type: "button", onclick: () => go({}) }, "Clear"),
    ),
  );
  const results = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  view.replaceChildren(form, results);

  const t0 = performance.now();
  const searching = Boolean(cur.q.trim());
  const data = await load(cube, cur, offset, searching);
  const ms = Math.round(performance.now() - t0);
  const what = searching
    ? `${data.memories.length} results (${data.mode === "text" ? "full text" : `semantic, ${data.mode}`})`
    : `${data.total} memories`;
  const meta = h("div", { class: "result-meta" }, `${what} · ${ms} ms`);
  if (data.warnings?.length) meta.append(h("div", { class: "notice" }, data.warnings.join("; ")));
  const cards = data.memories.length
    ? h(
        "div",
        { class: "cards", id: "results" },
        data.memories.map((m) => memoryCard(cube, m)),
      )
    : h(
        "div",
        { class: "panel muted", id: "results" },
        searching ? "Nothing matches." : "No memories in this cube yet.",
      );
  const pager =
    !searching && data.total > PAGE
      ? h(
          "div",
          { class: "pager" },
          h(
            "button",
            {
              disabled: offset === 0,
              onclick: () => go({ ...cur, offset: String(Math.max(0, offset - PAGE)) }),
            },
            "← Newer",
          ),
          h(
            "span",
            { class: "muted" },
            `${offset + 1}–${Math.min(offset + PAGE, data.total)} of ${data.total}`,
          ),
          h(
            "button",
            {
              disabled: offset + PAGE >= data.total,
              onclick: () => go({ ...cur, offset: String(offset + PAGE) }),
            },
            "Older →",
          ),
        )
      : null;
  results.replaceChildren(meta, cards, pager ?? "");
}
