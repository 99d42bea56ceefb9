// A cube at a glance: totals, memories by type and over time (SVG charts, no library), sessions
// and tags.
import { api, h, typeColor } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

function barsByType(rows) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  const rowH = 26;
  const svg = s("svg", {
    class: "chart",
    id: "chart-types",
    width: "100%",
    height: rows.length * rowH + 10,
    viewBox: `0 0 520 ${rows.length * rowH + 10}`,
  });
  rows.forEach((r, i) => {
    const y = i * rowH + 5;
    const w = (r.count / max) * 330;
    svg.append(
      s("text", { x: 0, y: y + 15 }, r.key),
      s("rect", { x: 140, y, width: Math.max(w, 2), height: 18, rx: 3, fill: typeColor(r.key) }),
      s("text", { x: 146 + w, y: y + 14 }, String(r.count)),
    );
  });
  return svg;
}

/** Counts on a real time axis: every day between the first and last (by month past ~4 months). */
function timeline(rows) {
  if (!rows.length) return rows;
  const first = new Date(`${rows[0].day}T00:00:00Z`);
  const last = new Date(`${rows.at(-1).day}T00:00:00Z`);
  if (Number.isNaN(first.getTime()) || Number.isNaN(last.getTime())) return rows;
  const byMonth = (last - first) / 86_400_000 > 120;
  const keyOf = (d) => (byMonth ? d.toISOString().slice(0, 7) : d.toISOString().slice(0, 10));
  const counts = new Map();
  for (const r of rows)
    counts.set(
      keyOf(new Date(`${r.day}T00:00:00Z`)),
      (counts.get(keyOf(new Date(`${r.day}T00:00:00Z`))) ?? 0) + r.count,
    );
  const out = [];
  for (
    const d = new Date(first);
    d <= last;
    byMonth ? d.setUTCMonth(d.getUTCMonth() + 1, 1) : d.setUTCDate(d.getUTCDate() + 1)
  ) {
    out.push({ day: keyOf(d), count: counts.get(keyOf(d)) ?? 0 });
  }
  return out;
}

function columnsByDay(raw, id) {
  const rows = timeline(raw);
  const W = 1000;
  const H = 160;
  const max = Math.max(1, ...rows.map((r) => r.count));
  const bw = Math.max(2, Math.min(48, (W - 40) / Math.max(rows.length, 1) - 2));
  const svg = s("svg", { class: "chart", id, width: "100%", height: H + 30, viewBox: `0 0 ${W} ${H + 30}` });
  svg.append(s("line", { x1: 30, x2: W, y1: H, y2: H, stroke: "#dee2e6" }));
  rows.forEach((r, i) => {
    if (!r.count) return;
    const hgt = (r.count / max) * (H - 14);
    const x = 30 + i * (bw + 2);
    svg.append(
      s(
        "rect",
        { x, y: H - hgt, width: bw, height: hgt, rx: 2, fill: "#3b5bdb" },
        s("title", {}, `${r.day}: ${r.count}`),
      ),
    );
  });
  svg.append(
    s("text", { x: 30, y: H + 18 }, rows[0]?.day ?? ""),
    s("text", { x: W - 80, y: H + 18 }, rows.at(-1)?.day ?? ""),
  );
  svg.append(s("text", { x: 0, y: 12 }, String(max)));
  return svg;
}

export async function renderOverview({ cube, view }) {
  const o = await api("overview", { query: { cube } });
  const stat = (label, value) => h("div", { class: "stat" }, h("b", {}, String(value)), label);
  const list = (rows, prefix, param) =>
    rows.length
      ? h(
          "table",
          {},
          h(
            "tbody",
            {},
            rows.map((r) =>
              h(
                "tr",
                {},
                h(
                  "td",
                  {},
                  h("a", { href: `#/memories?${param}=${encodeURIComponent(r.key)}` }, `${prefix}${r.key}`),
                ),
                h("td", {}, String(r.count)),
              ),
            ),
          ),
        )
      : h("p", { class: "muted" }, "none");
  view.replaceChildren(
    h("h1", {}, `Overview · ${cube}`),
    h(
      "div",
      { class: "stats panel" },
      stat("memories", o.total),
      stat("types", o.by_type.length),
      stat("sessions", o.sessions.length),
      stat("days", o.by_day.length),
    ),
    h(
      "div",
      { class: "grid2" },
      h("div", { class: "panel" }, h("h2", {}, "By memory type"), barsByType(o.by_type)),
      h("div", { class: "panel" }, h("h2", {}, "Top sessions"), list(o.sessions, "", "session")),
    ),
    h(
      "div",
      { class: "panel" },
      h("h2", {}, "When it happened (per day)"),
      o.by_event_day.length
        ? columnsByDay(o.by_event_day, "chart-events")
        : h("p", { class: "muted" }, "No dated memories."),
    ),
    h("div", { class: "panel" }, h("h2", {}, "Memories added per day"), columnsByDay(o.by_day, "chart-days")),
    h("div", { class: "panel" }, h("h2", {}, "Tags"), list(o.tags, "#", "tag")),
    h(
      "div",
      { class: "panel" },
      h("h2", {}, "LoRA adapters (parametric memory)"),
      adapters(o.lora_adapters ?? []),
    ),
    activationPanel(o.activation),
  );
}
/** The cube's activation memory (KV caches of its pinned memory block); nothing when it has none. */
function activationPanel(caches) {
  if (!caches) return "";
  const rows = caches.map((c) =>
    h(
      "tr",
      {},
      h("td", {}, h("code", {}, c.id.slice(0, 8))),
      h("td", {}, String(c.metadata.source_memory_ids.length)),
      h("td", {}, String(c.metadata.token_count)),
      h("td", {}, `${(c.metadata.bytes / 2 ** 20).toFixed(1)} MiB`),
      h("td", {}, h("code", {}, c.metadata.model_fingerprint.slice(0, 12))),
      h("td", {}, fmtDate(c.metadata.created_at)),
      h("td", {}, c.metadata.stale ? "stale: memories changed (rebuilt at the next chat)" : "up to date"),
    ),
  );
  return h(
    "div",
    { class: "panel", id: "activation" },
    h("h2", {}, "Activation memory (KV cache)"),
    rows.length
      ? h(
          "table",
          {},
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["cache", "memories", "tokens", "size", "model", "built", "state"].map((t) => h("th", {}, t)),
            ),
          ),
          h("tbody", {}, rows),
        )
      : h(
          "p",
          { class: "muted" },
          "No cache built yet: `memos kv build`, or the next chat on a llama.cpp model builds it.",
        ),
  );
}

/** The cube's LoRA adapters: name, state and scale, base model, description, checksum. */
function adapters(rows) {
  if (!rows.length) return h("p", { class: "muted" }, "None (memos lora add FILE.gguf).");
  return h(
    "table",
    { id: "lora-adapters" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["adapter", "state", "base model", "description", "sha256"].map((c) => h("th", {}, c)),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((a) =>
        h(
          "tr",
          {},
          h("td", {}, a.id),
          h("td", {}, a.metadata.active ? `active ×${a.metadata.scale}` : "inactive"),
          h("td", {}, a.metadata.base_model.name ?? a.metadata.base_model.architecture),
          h("td", {}, a.memory),
          h("td", { title: a.metadata.sha256 }, a.metadata.sha256.slice(0, 12)),
        ),
      ),
    ),
  );
}
