/**
 * `memos bench kv [--shape qwen2.5-0.5b] [--prefixes 512,1024,2048,4096] [--runs 5] [--threads N] [--json]`:
 * time to first token with and without activation memory (a saved KV state of the memory block)
 * on a realistically shaped random-weight GGUF (`scripts/make-test-gguf --shape …`: random
 * weights cost the same compute as trained ones).
 *
 * For each prefix size, a memory block of synthetic memories of about that many tokens opens the
 * system prompt and a ~30-token question follows. "Without": the whole prompt is evaluated, then
 * one token generated. "With": the block's saved state is restored (fingerprint checked) and only
 * the question's tokens are evaluated before that token. Both go through the same
 * `LanguageModel.doGenerate` call the chat uses. Each is the median of `runs` (alternating); the
 * state's file size and the median time to load it into a fresh sequence are reported too.
 *
 * `--json` prints `{model: {shape, params, file}, rows: [{prefix_tokens, ttft_ms_without,
 * ttft_ms_with, reduction, state_bytes, state_load_ms}]}`, reduction = 1 − with/without.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { cachedTestGguf, type TestGgufShape } from "../scripts/make-test-gguf.js";
import type { LLMMessage } from "../src/core/interfaces/language-model.js";
import { mulberry32 } from "../src/core/math/random.js";
import { memoryPrefix } from "../src/memory/activation/memory-block.js";
import { createLlamaCpp } from "../src/providers/llama-cpp/llama-cpp-language-model.js";
import { loadLlamaModel, loadNodeLlamaCpp } from "../src/providers/llama-cpp/llama-cpp-runtime.js";
import { percentile } from "./lib/metrics.js";
import { fmt, gitCommit, machineInfo, markdownTable, writeReportFiles } from "./lib/report.js";
import { syntheticMemory } from "./scale.js";

export interface KvBenchOptions {
  shape: TestGgufShape;
  /** A GGUF to use instead of the generated one. */
  modelFile?: string;
  prefixes: number[];
  runs: number;
  threads: number;
}

export interface KvBenchRow {
  prefix_tokens: number;
  ttft_ms_without: number;
  ttft_ms_with: number;
  reduction: number;
  state_bytes: number;
  state_load_ms: number;
}

export interface KvBenchReport {
  model: { shape: string; params: number; file: string };
  rows: KvBenchRow[];
}

/** A question of ~30 tokens in the generated models' small vocabulary (~10 words). */
const QUERY = "Who came to the old lighthouse with me last spring?";

const median = (values: number[]) => percentile(values, 50);

/** Synthetic memories, numbered as the chat pins them, until the block holds about `tokens` tokens. */
function memoryBlock(tokens: number, count: (text: string) => number): string {
  const r = mulberry32(tokens);
  const memories = [];
  let text = memoryPrefix({ memories: [] });
  let used = count(text);
  for (let i = 0; used < tokens; i++) {
    const item = { id: `m${i}`, memory: syntheticMemory(r, i), metadata: { sources: [] } } as never;
    memories.push({ index: i + 1, memoryId: `m${i}`, item });
    const next = memoryPrefix({ memories });
    used = count(next);
    text = next;
  }
  return text;
}

async function timed<T>(body: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await body();
  return performance.now() - started;
}

export async function runKvBench(
  options: KvBenchOptions,
  log: (line: string) => void,
): Promise<KvBenchReport> {
  const file = options.modelFile ?? cachedTestGguf(options.shape).modelFile;
  const m = await loadNodeLlamaCpp();
  const info = await m.readGgufFileInfo(file);
  const params = (info.fullTensorInfo ?? []).reduce(
    (sum, t) => sum + t.dimensions.reduce<number>((p, d) => p * Number(d), 1),
    0,
  );
  const contextSize = Math.max(...options.prefixes) + 512;
  const llm = createLlamaCpp({
    modelPath: file,
    gpu: false,
    threads: options.threads,
    contextSize,
    maxTokens: 1,
  });
  const model = await loadLlamaModel(file, false);
  // A second context, only to time restoring a state on its own.
  const probe = await model.createContext({ contextSize, threads: options.threads, sequences: 1 });
  const work = mkdtempSync(path.join(tmpdir(), "memos-bench-kv-"));
  const rows: KvBenchRow[] = [];
  try {
    await llm.load();
    const activation = llm.activation();
    const fingerprint = await activation.fingerprint();
    const count = (text: string) => model.tokenize(text).length;
    log(`question: ${count(QUERY)} tokens`);
    for (const target of options.prefixes) {
      const block = memoryBlock(target, count);
      const stateFile = path.join(work, `prefix-${target}.kvstate`);
      const saved = await activation.saveSystemPrefixState(block, stateFile);
      const state = { file: stateFile, model_fingerprint: fingerprint, token_count: saved.tokenCount };
      const cached = activation.withPrefixState(state);
      const messages: LLMMessage[] = [
        { role: "system", content: block },
        { role: "user", content: QUERY },
      ];
      // Warm-up once: page the weights in (building the first state did most of it).
      if (rows.length === 0) await llm.doGenerate(messages);
      const without: number[] = [];
      const withKv: number[] = [];
      const loads: number[] = [];
      for (let run = 0; run < options.runs; run++) {
        without.push(await timed(() => llm.doGenerate(messages)));
        withKv.push(await timed(() => cached.doGenerate(messages)));
        const sequence = probe.getSequence();
        loads.push(await timed(() => sequence.loadStateFromFile(stateFile, { acceptRisk: true })));
        sequence.dispose();
        log(
          `  prefix ${saved.tokenCount}, run ${run + 1}: ${fmt(without.at(-1) ?? 0, 0)} ms / ${fmt(withKv.at(-1) ?? 0, 0)} ms`,
        );
      }
      const row: KvBenchRow = {
        prefix_tokens: saved.tokenCount,
        ttft_ms_without: median(without),
        ttft_ms_with: median(withKv),
        reduction: 1 - median(withKv) / median(without),
        state_bytes: saved.bytes,
        state_load_ms: median(loads),
      };
      rows.push(row);
      log(
        `prefix ${row.prefix_tokens} tokens: TTFT ${fmt(row.ttft_ms_without, 0)} ms → ${fmt(row.ttft_ms_with, 0)} ms (−${fmt(row.reduction * 100, 1)}%), state ${fmt(row.state_bytes / 2 ** 20, 1)} MiB, load ${fmt(row.state_load_ms, 1)} ms`,
      );
    }
  } finally {
    await probe.dispose();
    await llm.dispose();
    rmSync(work, { recursive: true, force: true });
  }
  return { model: { shape: options.modelFile ? "file" : options.shape, params, file }, rows };
}

export function kvBenchMarkdown(
  report: KvBenchReport,
  options: KvBenchOptions,
  extra: { commit: string; load: [number, number] },
): string {
  const table = markdownTable(
    [
      "prefix tokens",
      "TTFT without (ms)",
      "TTFT with (ms)",
      "reduction",
      "state size (MiB)",
      "state load (ms)",
      "load / TTFT without",
    ],
    report.rows.map((r) => [
      r.prefix_tokens,
      fmt(r.ttft_ms_without, 0),
      fmt(r.ttft_ms_with, 0),
      `${fmt(r.reduction * 100, 1)}%`,
      fmt(r.state_bytes / 2 ** 20, 1),
      fmt(r.state_load_ms, 1),
      fmt(r.state_load_ms / r.ttft_ms_without, 3),
    ]),
  );
  const machine = machineInfo();
  return `# Activation memory (KV cache): time to first token\n\nModel: ${report.model.shape} (${(report.model.params / 1e6).toFixed(0)} M parameters, F32, random weights), llama.cpp on CPU, ${options.threads} threads; a ~30-token question after the memory block; median of ${options.runs} runs. Commit ${extra.commit}. Load average (1 min) before/after: ${fmt(extra.load[0], 1)} / ${fmt(extra.load[1], 1)} on ${machine.cores} cores.\n\n${table}\n\nMachine: ${JSON.stringify(machine)}\n`;
}

export function registerKvCommand(bench: Command): void {
  bench
    .command("kv")
    .description("time to first token with and without a saved KV cache of the memory block (llama.cpp, CPU)")
    .option("--shape <shape>", "generated model shape (scripts/make-test-gguf --shape)", "qwen2.5-0.5b")
    .option("--model <file>", "a GGUF to use instead of the generated one")
    .option("--prefixes <list>", "memory block sizes in tokens", "512,1024,2048,4096")
    .option("--runs <n>", "runs per size (median)", "5")
    .option("--threads <n>", "CPU threads", String(cpus().length))
    .option("--out <dir>", "report directory", "reports")
    .option("--json", "print the report as JSON on stdout")
    .action(
      async (opts: {
        shape: string;
        model?: string;
        prefixes: string;
        runs: string;
        threads: string;
        out: string;
        json?: boolean;
      }) => {
        const options: KvBenchOptions = {
          shape: opts.shape as TestGgufShape,
          modelFile: opts.model,
          prefixes: opts.prefixes.split(",").map((p) => Number(p.trim())),
          runs: Number(opts.runs),
          threads: Number(opts.threads),
        };
        if (
          options.prefixes.some((p) => !Number.isInteger(p) || p < 16) ||
          !(options.runs >= 1) ||
          !(options.threads >= 1)
        ) {
          throw new Error("--prefixes takes integers ≥ 16, --runs and --threads positive integers");
        }
        const before = loadavg()[0] ?? 0;
        const report = await runKvBench(
          options,
          opts.json ? () => {} : (s) => process.stderr.write(`${s}\n`),
        );
        const md = kvBenchMarkdown(report, options, {
          commit: gitCommit(process.cwd()),
          load: [before, loadavg()[0] ?? 0],
        });
        const written = await writeReportFiles(opts.out, "kv-cache", {
          json: JSON.stringify(report, null, 2),
          md,
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else process.stdout.write(`${md}\nReport: ${written.join(", ")}\n`);
      },
    );
}
