/**
 * Turns a LocomoReport into the files under reports/: Markdown for people, JSON for tools, and
 * an SVG chart of recall at each token budget.
 */
import path from "node:path";
import type { TopLevelSpec } from "vega-lite";
import { fileTimestamp, fmt, markdownTable, renderVegaLiteSvg, writeReportFiles } from "../lib/report.js";
import { CATEGORY_NAMES } from "./data.js";
import type { LocomoReport, RetrievalRow } from "./run.js";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function categoryLabel(category: string): string {
  return category === "all" ? "all" : `${category} ${CATEGORY_NAMES[Number(category)] ?? ""}`.trim();
}

function find(
  rows: RetrievalRow[],
  system: string,
  category: string,
  key: "k" | "budget_tokens",
  value: number,
) {
  return rows.find((r) => r.system === system && r.category === category && r[key] === value);
}

/** The recall/hit table per category and system, at every k (`"k"`) or every budget. */
export function metricTable(report: LocomoReport, key: "k" | "budget_tokens"): string {
  const values = key === "k" ? report.settings.k_values : report.settings.budgets;
  const label = (v: number) => (key === "k" ? `@${v}` : `@${v}t`);
  const headers = ["category", "system", "n", ...values.flatMap((v) => [`R${label(v)}`, `H${label(v)}`])];
  const body: (string | number)[][] = [];
  for (const category of ["all", "1", "2", "3", "4"]) {
    for (const system of report.settings.systems) {
      const rows = values.map((v) => find(report.retrieval, system, category, key, v));
      const n = rows[0]?.questions;
      if (n === undefined) continue;
      body.push([
        categoryLabel(category),
        system,
        n,
        ...rows.flatMap((r) => [fmt(r?.recall ?? Number.NaN), fmt(r?.hit ?? Number.NaN)]),
      ]);
    }
  }
  return markdownTable(headers, body);
}

/** Optional changes to the Markdown, for benchmarks built on this runner (bench/compare). */
export interface MarkdownOptions {
  /** The heading, before " — <date>" (default "LoCoMo retrieval benchmark"). */
  title?: string;
  /** Extra Markdown lines, placed after the setup section. */
  notes?: string[];
}

/** The Markdown report. */
export function renderMarkdown(
  report: LocomoReport,
  chartFile?: string,
  options: MarkdownOptions = {},
): string {
  const s = report.settings;
  const m = report.machine;
  const e = report.evidence;
  const q = report.questions;
  const lines: string[] = [
    `# ${options.title ?? "LoCoMo retrieval benchmark"} — ${report.created_at}`,
    "",
    "How to read this: see [reports/README.md](README.md). R = evidence recall, H = hit;",
    "`@N` = the first N memories, `@Nt` = memories taken in rank order while they fit in N cl100k tokens.",
    "",
    "## Setup",
    "",
    `- commit: \`${report.commit}\``,
    `- machine: ${m.cores} × ${m.cpu_model}, ${m.memory_gb} GB memory, Node ${m.node}, ${m.platform}`,
    `- data: \`${report.data_path}\`, sha256 \`${report.data_sha256}\``,
    `- conversations: ${s.conversations.join(", ")}`,
    `- settings: mode ${s.mode}, top-k ${s.top_k} (timed search, context tokens), depth ${s.depth} (metric search), ` +
      `k ∈ {${s.k_values.join(", ")}}, budgets ∈ {${s.budgets.join(", ")}} tokens (${s.tokenizer}, rule: ${s.budget_rule} at the first memory that does not fit), ` +
      `memos merges its two speaker cubes by ${s.merge}`,
    `- systems: ${s.systems.join(", ")}`,
    `- reproduce: \`${report.command}\``,
    "",
    ...(options.notes && options.notes.length > 0 ? [...options.notes, ""] : []),
    "## Recall and hit at token budgets",
    "",
    ...(chartFile ? [`![evidence recall at token budgets](${chartFile})`, ""] : []),
    metricTable(report, "budget_tokens"),
    "",
    "## Recall and hit at k memories",
    "",
    metricTable(report, "k"),
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
      ],
      s.systems.map((name) => {
        const st = report.systems[name];
        if (!st) return [name, "–", "–", "–", "–", "–", "–", "–"];
        return [
          name,
          st.ingest.items,
          st.ingest.memories,
          fmt(st.ingest.seconds, 2),
          fmt(st.ingest.items_per_second, 1),
          fmt(st.latency_ms.search_p50, 2),
          fmt(st.latency_ms.search_p95, 2),
          fmt(st.context_tokens_mean, 1),
        ];
      }),
    ),
    "",
    "## Questions and evidence",
    "",
    `- questions: ${q.total} in the selected conversations; ${q.scored} scored ` +
      `(${Object.entries(q.by_category)
        .map(([c, n]) => `${categoryLabel(c)}: ${n}`)
        .join(", ")}); ` +
      `${q.skipped_category_5} category-5 (adversarial) skipped; ${q.without_evidence} left without usable evidence`,
    `- evidence ids: ${e.raw} strings read, ${e.valid} valid as written, ${e.split} holding several ids (split), ` +
      `${e.repaired} repaired (e.g. "D:11:26" → "D11:26", "D30:05" → "D30:5"), ` +
      `${e.droppedUnparseable} unreadable (dropped), ${e.droppedUnknown} naming no turn of the conversation (dropped), ` +
      `${e.droppedDuplicate} duplicates (dropped)`,
    "",
    "## LLM metrics",
    "",
  ];
  if (report.llm.status === "skipped") {
    lines.push(`LLM metrics: skipped (${report.llm.reason})`);
  } else {
    const l = report.llm;
    lines.push(
      `answerer: ${l.answerer}${l.judge ? `, judge: ${l.judge}` : ""}`,
      "",
      `Short-answer prompt over the top-${report.settings.top_k} memories, each dated by its session, temperature 0; ` +
        `questions answered per system: ${l.llm_questions}` +
        (l.judge
          ? `; ${l.judge_runs ?? 1} judge run(s) per answer, accuracy as mean ± std (population) of the runs' accuracies`
          : "") +
        (l.judge_invalid_outputs
          ? `; ${l.judge_invalid_outputs} judge outputs unparseable (counted WRONG)`
          : "") +
        ".",
      "",
    );
    lines.push(
      markdownTable(
        ["category", "system", "n", "F1", "BLEU-1", "judge accuracy"],
        report.llm.rows.map((r) => [
          categoryLabel(r.category),
          r.system,
          r.questions,
          fmt(r.f1),
          fmt(r.bleu1),
          r.judge_accuracy === undefined ? "–" : `${fmt(r.judge_accuracy)} ± ${fmt(r.judge_std ?? 0)}`,
        ]),
      ),
    );
  }
  lines.push("");
  return lines.join("\n");
}

/** The vega-lite spec: recall at each budget, bars grouped by system, one panel per category. */
export function recallChartSpec(report: LocomoReport): TopLevelSpec {
  const values = report.retrieval
    .filter((r) => r.budget_tokens !== undefined)
    .map((r) => ({
      system: r.system,
      category: categoryLabel(r.category),
      budget: `${r.budget_tokens} tokens`,
      budget_tokens: r.budget_tokens,
      recall: r.recall,
    }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `LoCoMo evidence recall at context budgets (${plural(report.settings.conversations.length, "conversation")})`,
    data: { values },
    mark: { type: "bar", tooltip: true },
    encoding: {
      column: {
        field: "category",
        type: "nominal",
        sort: ["all", "1 multi-hop", "2 temporal", "3 open-domain", "4 single-hop"],
        title: null,
      },
      x: {
        field: "budget",
        type: "ordinal",
        sort: { field: "budget_tokens" },
        title: "context budget (cl100k)",
      },
      xOffset: { field: "system", type: "nominal", sort: report.settings.systems },
      y: { field: "recall", type: "quantitative", scale: { domain: [0, 1] }, title: "evidence recall" },
      color: { field: "system", type: "nominal", sort: report.settings.systems },
    },
    width: 180,
    height: 220,
  };
}

/**
 * Writes reports/<name>-<timestamp>.{json,md,svg} and the <name>-latest.* copies into `dir`
 * (name "locomo" unless given). Returns the timestamped paths.
 */
export async function writeLocomoReports(
  report: LocomoReport,
  dir: string,
  options: { name?: string; markdown?: MarkdownOptions } = {},
): Promise<string[]> {
  const name = options.name ?? "locomo";
  const svg = await renderVegaLiteSvg(recallChartSpec(report));
  const timestamp = fileTimestamp(new Date(report.created_at));
  return writeReportFiles(
    path.resolve(dir),
    name,
    {
      json: `${JSON.stringify(report, null, 2)}\n`,
      md: renderMarkdown(report, `${name}-${timestamp}.svg`, options.markdown),
      svg,
    },
    timestamp,
  );
}
