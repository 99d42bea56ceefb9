import type { Command } from "commander";

/**
 * `memos bench ...`: the benchmarks live in bench/ (beside src/, built to dist/bench) and are
 * loaded only when asked for, so everyday commands do not pay for their imports.
 */
export async function mountBench(program: Command): Promise<void> {
  const bench = program.command("bench").description("benchmarks; reports go to reports/");
  const scale = await import(new URL("../../bench/scale.js", import.meta.url).href);
  scale.registerScaleCommand(bench);
  const locomo = await import(new URL("../../bench/locomo/cli.js", import.meta.url).href).catch(() => undefined);
  locomo?.registerLocomoCommand(bench);
}
