import type { Command } from "commander";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import type { MemCube } from "../../cube/mem-cube.js";
import { TreeTextMemory } from "../../memory/textual/tree/tree-memory.js";
import type { SearchHit } from "../../memory/textual/types.js";
import { failureWarning } from "../../mos/search-result.js";
import { Searcher } from "../../retrieve/searcher.js";
import { type CommonOptions, withCommon, withContext } from "../context.js";
import { escapeControl, itemJson, itemLines } from "../format.js";
import { type CliIO, printJson } from "../io.js";
import { fineModeLlm } from "./fine-mode.js";

interface SearchCliOptions extends CommonOptions {
  topK: string;
  mode: string;
}

export function registerSearch(program: Command, io: CliIO): void {
  withCommon(program.command("search").argument("<query>", "what to look for"))
    .description("search the memories of every cube the user may read (or --cube)")
    .option("--top-k <n>", "how many results", "10")
    .option("--mode <mode>", "fast, or fine (an LLM parses the query first; needs MEMOS_LLM)", "fast")
    .action(async (query: string, opts: SearchCliOptions) => {
      const topK = Number(opts.topK);
      if (!Number.isInteger(topK) || topK < 1 || topK > 1000) {
        throw new InvalidInputError({
          message: `--top-k must be an integer from 1 to 1000, got "${opts.topK}"`,
          hint: "e.g. --top-k 10",
        });
      }
      if (opts.mode !== "fast" && opts.mode !== "fine") {
        throw new InvalidInputError({
          message: `--mode must be fast or fine, got "${opts.mode}"`,
          hint: "e.g. --mode fast",
        });
      }
      if (query.trim() === "")
        throw new InvalidInputError({
          message: "the search query is empty",
          hint: 'memos search "where does Alice live?"',
        });
      const mode = opts.mode;
      await withContext(io, opts, async (ctx) => {
        const warnings: string[] = [];
        const { results: perCube, failedCubes } = await ctx.eachReadCube(async (cube) => {
          const { hits, warnings: w } = await searchCube(cube, query, topK, mode);
          warnings.push(...w.map((x) => `${cube.cubeId}: ${x}`));
          return hits.map((hit) => ({ cube: cube.cubeId, hit }));
        });
        const results = perCube
          .flatMap((r) => r.value)
          .sort((a, b) => b.hit.score - a.hit.score)
          .slice(0, topK);
        for (const w of warnings) io.stderr(`memos: warning: ${escapeControl(w)}\n`);
        if (ctx.json) {
          printJson(io, {
            query,
            results: results.map((r) => resultJson(r.cube, r.hit)),
            warnings: [...warnings, ...failedCubes.map(failureWarning)],
            failed_cubes: failedCubes,
          });
          return;
        }
        if (results.length === 0) io.stdout("No memories found.\n");
        for (const [i, r] of results.entries()) {
          io.stdout(itemLines(r.hit.item, `${i + 1}. [${r.hit.score.toFixed(4)}] `));
        }
      });
    });
}

/**
 * Tree cubes search themselves (and record usage). A general cube searched in fine mode gets the
 * tree searcher over its store, with the LLM parsing the query.
 */
async function searchCube(
  cube: MemCube,
  query: string,
  topK: number,
  mode: "fast" | "fine",
): Promise<{ hits: SearchHit[]; warnings: string[] }> {
  if (cube.text instanceof TreeTextMemory) {
    if (mode === "fine") await fineModeLlm(cube, "memos search");
    return cube.text.searchDetailed(query, { topK, mode });
  }
  if (mode === "fast") return { hits: await cube.text.search(query, { topK }), warnings: [] };
  const llm = await fineModeLlm(cube, "memos search");
  return new Searcher({ store: cube.text.store, embedder: cube.text.embedder, llm }).search(query, {
    topK,
    mode,
  });
}

function resultJson(cubeId: string, hit: SearchHit) {
  return itemJson(hit.item, { cube_id: cubeId, score: hit.score, paths: hit.paths });
}
