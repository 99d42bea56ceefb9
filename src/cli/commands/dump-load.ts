import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { Command } from "commander";
import { readCubeConfig } from "../../cube/mem-cube.js";
import { readTextualMemory } from "../../memory/textual/persist.js";
import { type CommonOptions, withCommon, withContext } from "../context.js";
import { type CliIO, printJson } from "../io.js";

export function registerDumpLoad(program: Command, io: CliIO): void {
  withCommon(program.command("dump").argument("<dir>", "an empty directory to write"))
    .description("write a cube as a MemOS cube directory (config.json + textual_memory.json)")
    .option("--force", "write into a non-empty directory")
    .action(async (dir: string, opts: CommonOptions & { force?: boolean }) => {
      await withContext(io, opts, async (ctx) => {
        const cube = await ctx.writeCube();
        const out = await cube.dump(resolve(dir), { force: opts.force });
        const count = await cube.text.store.count();
        if (ctx.json) printJson(io, { cube_id: cube.cubeId, dir: out, memories: count });
        else io.stdout(`Dumped cube "${cube.cubeId}" (${count} memories) to ${out}\n`);
      });
    });

  withCommon(program.command("load").argument("<dir>", "a cube directory (ours or MemOS's)"))
    .description("import a cube directory as a new cube owned by the current user")
    .action(async (dir: string, opts: CommonOptions) => {
      const source = resolve(dir);
      // Validate everything before creating anything, so bad input leaves no half-made cube.
      const data = readTextualMemory(source);
      const config = existsSync(join(source, "config.json")) ? readCubeConfig(source) : undefined;
      const sameEmbedder = embedderOf(config) === "glove";
      await withContext(io, { ...opts, cube: undefined }, async (ctx) => {
        const cubeId = opts.cube ?? config?.cube_id ?? basename(source);
        const cube = await ctx.home.createCube(cubeId, ctx.user);
        try {
          await cube.text.load(source, { reembed: !sameEmbedder });
        } catch (error) {
          await cube.close();
          await ctx.home.removeCube(cubeId);
          throw error;
        }
        await cube.close();
        if (ctx.json) printJson(io, { cube_id: cubeId, owner: ctx.user, memories: data.nodes.length, edges: data.edges.length, reembedded: !sameEmbedder });
        else io.stdout(`Loaded ${data.nodes.length} memories into cube "${cubeId}" (owner "${ctx.user}")${sameEmbedder ? "" : ", re-embedded with GloVe"}\n`);
      });
    });
}

function embedderOf(config: ReturnType<typeof readCubeConfig> | undefined): string | undefined {
  const text = config?.text_mem;
  if (!text || !("config" in text)) return undefined;
  const embedder = (text.config as { embedder?: { backend?: unknown } }).embedder;
  return typeof embedder?.backend === "string" ? embedder.backend : undefined;
}
