import type { Command } from "commander";
import { ConfigError } from "../../core/errors/config-error.js";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import type { SearchHit } from "../../memory/textual/types.js";
import { type CommonOptions, withCommon, withContext } from "../context.js";
import { itemJson, itemLines } from "../format.js";
import { type CliIO, printJson } from "../io.js";

interface SearchCliOptions extends CommonOptions {
  topK: string;
  mode: string;
}

export function registerSearch(program: Command, io: CliIO): void {
  withCommon(program.command("search").argument("<query>", "what to look for"))
    .description("search the memories of every cube the user may read (or --cube)")
    .option("--top-k <n>", "how many results", "10")
    .option("--mode <mode>", "fast or fine (fine needs an LLM)", "fast")
    .action(async (query: string, opts: SearchCliOptions) => {
      const topK = Number(opts.topK);
      if (!Number.isInteger(topK) || topK < 1 || topK > 1000) {
        throw new InvalidInputError({ message: `--top-k must be an integer from 1 to 1000, got "${opts.topK}"`, hint: "e.g. --top-k 10" });
      }
      if (opts.mode !== "fast") {
        if (opts.mode === "fine") throw new ConfigError({ message: "--mode fine needs an LLM and tree memory", hint: "use --mode fast (the default)" });
        throw new InvalidInputError({ message: `--mode must be fast or fine, got "${opts.mode}"`, hint: "e.g. --mode fast" });
      }
      if (query.trim() === "") throw new InvalidInputError({ message: "the search query is empty", hint: 'memos search "where does Alice live?"' });
      await withContext(io, opts, async (ctx) => {
        const cubes = await ctx.readCubes();
        const perCube = await Promise.all(
          cubes.map(async (cube) => (await cube.text.search(query, { topK })).map((hit) => ({ cube: cube.cubeId, hit }))),
        );
        const results = perCube
          .flat()
          .sort((a, b) => b.hit.score - a.hit.score)
          .slice(0, topK);
        if (ctx.json) {
          printJson(io, { query, results: results.map((r) => resultJson(r.cube, r.hit)) });
          return;
        }
        if (results.length === 0) io.stdout("No memories found.\n");
        results.forEach((r, i) => io.stdout(itemLines(r.hit.item, `${i + 1}. [${r.hit.score.toFixed(4)}] `)));
      });
    });
}

function resultJson(cubeId: string, hit: SearchHit) {
  return itemJson(hit.item, { cube_id: cubeId, score: hit.score, paths: hit.paths });
}
