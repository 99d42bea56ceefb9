import type { Command } from "commander";

/**
 * `memos bench ...`: the benchmarks live in bench/ (beside src/, built to dist/bench) and are
 * loaded only when asked for, so everyday commands do not pay for their imports.
 */
export async function mountBench(program: Command): Promise<void> {
  const bench = program.command("bench").description("benchmarks; reports go to reports/");
  const load = (path: string) => import(new URL(path, import.meta.url).href);
  const [scale, locomo, prefeval, compare, http, scheduler, kv] = await Promise.all([
    load("../../bench/scale.js"),
    load("../../bench/locomo/cli.js"),
    load("../../bench/prefeval/cli.js"),
    load("../../bench/compare/cli.js"),
    load("../../bench/http-load.js"),
    load("../../bench/scheduler.js"),
    load("../../bench/kv-cache.js"),
  ]);
  scale.registerScaleCommand(bench);
  locomo.registerLocomoCommand(bench);
  prefeval.registerPrefevalCommand(bench);
  compare.registerCompareCommand(bench);
  http.registerHttpCommand(bench);
  scheduler.registerSchedulerCommand(bench);
  kv.registerKvCommand(bench);
}
