import type { Command } from "commander";
import { type CommonOptions, withCommon, withContext } from "../context.js";
import { type CliIO, printJson } from "../io.js";

/**
 * dump (read access to the cube: --cube, else the user's default) and load (a new cube owned by
 * the acting user; guests own none, and a directory belonging to a cube they cannot read is refused).
 */
export function registerDumpLoad(program: Command, io: CliIO): void {
  withCommon(program.command("dump").argument("<dir>", "an empty directory to write"))
    .description("write a cube as a MemOS cube directory (config.json + textual_memory.json)")
    .option("--force", "write into a non-empty directory")
    .action(async (dir: string, opts: CommonOptions & { force?: boolean }) => {
      await withContext(io, opts, async (ctx) => {
        const out = await ctx.mos.dump(ctx.cubeId(), dir, { userId: ctx.user, force: opts.force });
        if (ctx.json) printJson(io, out);
        else io.stdout(`Dumped cube "${out.cube_id}" (${out.memories} memories) to ${out.dir}\n`);
      });
    });

  withCommon(program.command("load").argument("<dir>", "a cube directory (ours or MemOS's)"))
    .description("import a cube directory as a new cube owned by the current user (--cube names it)")
    .action(async (dir: string, opts: CommonOptions) => {
      // --cube names the new cube here, so the context must not resolve it as an existing one.
      await withContext(io, { ...opts, cube: undefined }, async (ctx) => {
        const r = await ctx.mos.load(dir, { userId: ctx.user, cubeId: opts.cube });
        if (ctx.json) printJson(io, r);
        else
          io.stdout(
            `Loaded ${r.memories} memories into cube "${r.cube_id}" (owner "${r.owner}")${r.reembedded ? ", re-embedded" : ""}\n`,
          );
      });
    });
}
