/**
 * Files of a comparison run: the LoCoMo report layout (reports/compare-<with>-<timestamp>.*), with
 * mem0's setup and a side-by-side summary of the two memories put after the setup section.
 */
import { fmt, markdownTable } from "../lib/report.js";
import { renderMarkdown, writeLocomoReports } from "../locomo/render.js";
import type { CompareReport } from "./run.js";

const TITLE = "LoCoMo retrieval: memos vs mem0";

/** The Markdown lines about mem0 and the memos-vs-mem0 summary (all categories). */
export function compareNotes(report: CompareReport): string[] {
  const s = report.settings;
  const pair = ["memos", report.compared_with].filter((n) => s.systems.includes(n));
  const all = (system: string, key: "k" | "budget_tokens", v: number) =>
    report.retrieval.find((r) => r.system === system && r.category === "all" && r[key] === v);
  const lines = ["## memos vs mem0 (all categories)", ""];
  lines.push(
    markdownTable(
      [
        "system",
        ...s.budgets.map((b) => `R@${b}t`),
        ...s.k_values.map((k) => `R@${k}`),
        "ingest items/s",
        "search p50 ms",
        "search p95 ms",
      ],
      pair.map((name) => {
        const st = report.systems[name];
        return [
          name,
          ...s.budgets.map((b) => fmt(all(name, "budget_tokens", b)?.recall ?? Number.NaN)),
          ...s.k_values.map((k) => fmt(all(name, "k", k)?.recall ?? Number.NaN)),
          fmt(st?.ingest.items_per_second ?? Number.NaN, 1),
          fmt(st?.latency_ms.search_p50 ?? Number.NaN, 2),
          fmt(st?.latency_ms.search_p95 ?? Number.NaN, 2),
        ];
      }),
    ),
    "",
  );
  const m = report.mem0;
  if (m) {
    lines.push(
      `### mem0 setup (mem0ai ${m.version})`,
      "",
      ...Object.entries(m.setup).map(([k, v]) => `- ${k.replace(/_/g, " ")}: ${v}`),
      `- network requests attempted while mem0 ran: ${m.network_attempts}`,
      "",
      "Per turn, mem0 stores one memory (`Speaker: text`) while memos stores windows of several turns read from",
      "both speakers' points of view, so recall @k is not comparable between them; recall at token budgets is.",
      "Ingest items: memos reads every turn twice (one cube per speaker), mem0 once.",
      "",
    );
  }
  return lines;
}

/** The whole Markdown report. */
export function renderCompareMarkdown(report: CompareReport, chartFile?: string): string {
  return renderMarkdown(report, chartFile, { title: TITLE, notes: compareNotes(report) });
}

/** Writes compare-<with>-<timestamp>.{json,md,svg} and the -latest copies into `dir`. */
export async function writeCompareReports(report: CompareReport, dir: string): Promise<string[]> {
  return writeLocomoReports(report, dir, {
    name: `compare-${report.compared_with}`,
    markdown: { title: TITLE, notes: compareNotes(report) },
  });
}
