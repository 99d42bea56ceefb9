/**
 * Turns a PrefevalReport into reports/prefeval-<timestamp>.{json,md,svg} (+ -latest copies):
 * Markdown for people, JSON for tools, an SVG of preference recall per topic.
 */
import path from "node:path";
import type { TopLevelSpec } from "vega-lite";
import { fileTimestamp, fmt, markdownTable, renderVegaLiteSvg, writeReportFiles } from "../lib/report.js";
import type { PrefevalReport, PrefRetrievalRow } from "./run.js";

function row(
  report: PrefevalReport,
  system: string,
  topic: string,
  key: "k" | "budget_tokens",
  value: number,
) {
  return report.retrieval.find(
    (r: PrefRetrievalRow) => r.system === system && r.topic === topic && r[key] === value,
  );
}

/** Overall table: one row per system, recall at every k and budget, MRR, not found. */
function overallTable(report: PrefevalReport): string {
  const s = report.settings;
  const headers = [
    "system",
    "items",
    ...s.k_values.map((k) => `R@${k}`),
    ...s.budgets.map((b) => `R@${b}t`),
    "MRR",
    `not in top ${s.depth}`,
  ];
  const body = s.systems.map((system) => [
    system,
    row(report, system, "all", "k", s.k_values[0] ?? 1)?.items ?? 0,
    ...s.k_values.map((k) => fmt(row(report, system, "all", "k", k)?.recall ?? Number.NaN)),
    ...s.budgets.map((b) => fmt(row(report, system, "all", "budget_tokens", b)?.recall ?? Number.NaN)),
    fmt(report.systems[system]?.mrr ?? Number.NaN),
    report.systems[system]?.not_found ?? "–",
  ]);
  return markdownTable(headers, body);
}

/** Per-topic table: one row per topic, the systems side by side at every k (or budget). */
export function topicTable(report: PrefevalReport, key: "k" | "budget_tokens"): string {
  const s = report.settings;
  const values = key === "k" ? s.k_values : s.budgets;
  const label = (v: number) => (key === "k" ? `@${v}` : `@${v}t`);
  const headers = ["topic", "items", ...s.systems.flatMap((sys) => values.map((v) => `${sys} ${label(v)}`))];
  const body = ["all", ...s.topics].map((topic) => [
    topic,
    report.items.by_topic[topic] ?? report.items.total,
    ...s.systems.flatMap((sys) =>
      values.map((v) => fmt(row(report, sys, topic, key, v)?.recall ?? Number.NaN)),
    ),
  ]);
  return markdownTable(headers, body);
}

/** The Markdown report. */
export function renderPrefevalMarkdown(report: PrefevalReport, chartFile?: string): string {
  const s = report.settings;
  const m = report.machine;
  const lines: string[] = [
    `# PrefEval preference-recall benchmark — ${report.created_at}`,
    "",
    "How to read this: see [reports/README.md](README.md). R@k = fraction of items whose stated preference",
    "turn is covered by the first k memories; R@Nt = by the memories that fit in N cl100k tokens (rank order,",
    "stop at the first that does not fit). MRR = mean reciprocal rank of the first memory holding it.",
    "",
    "## Setup",
    "",
    `- commit: \`${report.commit}\``,
    `- machine: ${m.cores} × ${m.cpu_model}, ${m.memory_gb} GB memory, Node ${m.node}, ${m.platform}`,
    `- data: \`${report.data_dir}\` (${s.topics.length} topic files), manifest sha256 \`${report.data_sha256}\``,
    `- distractors: \`${report.distractor_file}\`, sha256 \`${report.distractor_sha256}\`; ` +
      `the first ${s.distractors} chats, ${s.distractor_turns} turns, ${s.distractor_tokens} tokens`,
    `- items: ${report.items.total}${s.limit === null ? "" : ` (at most ${s.limit} per topic)`}`,
    `- preference placement (seed ${s.seed}): ${s.insertion}`,
    `- settings: top-k ${s.top_k} (timed search, context tokens), depth ${s.depth} (metric search), ` +
      `k ∈ {${s.k_values.join(", ")}}, budgets ∈ {${s.budgets.join(", ")}} tokens (${s.tokenizer}, rule: ${s.budget_rule})`,
    `- systems: ${s.systems.join(", ")}`,
    `- run time: ${fmt(report.seconds, 1)} s`,
    `- reproduce: \`${report.command}\``,
    "",
    "## Preference recall, all topics",
    "",
    ...(chartFile ? [`![preference recall per topic](${chartFile})`, ""] : []),
    overallTable(report),
    "",
    "## Preference recall per topic at k memories",
    "",
    topicTable(report, "k"),
    "",
    "## Preference recall per topic at token budgets",
    "",
    topicTable(report, "budget_tokens"),
    "",
    "## Efficiency",
    "",
    markdownTable(
      [
        "system",
        "ingest items",
        "memories",
        "ingest s",
        "items/s",
        "search p50 ms",
        "search p95 ms",
        `context tokens (top-${s.top_k})`,
        "run s",
      ],
      s.systems.map((name) => {
        const st = report.systems[name];
        if (!st) return [name, "–", "–", "–", "–", "–", "–", "–", "–"];
        return [
          name,
          st.ingest.items,
          st.ingest.memories,
          fmt(st.ingest.seconds, 2),
          fmt(st.ingest.items_per_second, 1),
          fmt(st.latency_ms.search_p50, 2),
          fmt(st.latency_ms.search_p95, 2),
          fmt(st.context_tokens_mean, 1),
          fmt(st.seconds, 1),
        ];
      }),
    ),
    "",
    "Ingest counts every add: the shared distractor chats once per host-chat group, then the host chat once per",
    "item (see reports/README.md). The `glove` baseline caches turn vectors, so its ingest mostly skips embedding.",
    "",
    "## LLM metrics",
    "",
  ];
  if (report.llm.status === "skipped") {
    lines.push(`LLM metrics: skipped (${report.llm.reason})`);
  } else {
    const l = report.llm;
    lines.push(
      `answerer: ${l.answerer}, judge: ${l.judge}`,
      "",
      `Answers from the top-${report.settings.top_k} memories, temperature 0; the judge says yes/no once per answer; ` +
        `items answered per system: ${l.llm_items ?? "all"}` +
        (l.judge_invalid_outputs
          ? `; ${l.judge_invalid_outputs} judge outputs unparseable (counted not followed)`
          : "") +
        ".",
      "",
    );
    lines.push(
      markdownTable(
        ["topic", "system", "items", "preference followed"],
        report.llm.rows.map((r) => [r.topic, r.system, r.items, fmt(r.followed)]),
      ),
    );
  }
  lines.push("");
  return lines.join("\n");
}

/** The vega-lite spec: recall at each k per topic (horizontal bars), systems side by side. */
export function prefevalChartSpec(report: PrefevalReport): TopLevelSpec {
  const values = report.retrieval
    .filter((r) => r.k !== undefined)
    .map((r) => ({ system: r.system, topic: r.topic, k: `recall@${r.k}`, kn: r.k, recall: r.recall }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `PrefEval preference recall (${report.items.total} items, ${report.settings.distractors} distractor chats)`,
    data: { values },
    mark: { type: "bar", tooltip: true },
    encoding: {
      column: { field: "k", type: "ordinal", sort: { field: "kn" }, title: null },
      y: { field: "topic", type: "nominal", sort: ["all", ...report.settings.topics], title: null },
      yOffset: { field: "system", type: "nominal", sort: report.settings.systems },
      x: { field: "recall", type: "quantitative", scale: { domain: [0, 1] }, title: "preference recall" },
      color: { field: "system", type: "nominal", sort: report.settings.systems },
    },
    width: 160,
  };
}

/** Writes prefeval-<timestamp>.{json,md,svg} and the prefeval-latest.* copies into `dir`. */
export async function writePrefevalReports(report: PrefevalReport, dir: string): Promise<string[]> {
  const svg = await renderVegaLiteSvg(prefevalChartSpec(report));
  const timestamp = fileTimestamp(new Date(report.created_at));
  return writeReportFiles(
    path.resolve(dir),
    "prefeval",
    {
      json: `${JSON.stringify(report, null, 2)}\n`,
      md: renderPrefevalMarkdown(report, `prefeval-${timestamp}.svg`),
      svg,
    },
    timestamp,
  );
}
