import type { Command } from "commander";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { KNOWN_MEMORY_TYPES } from "../../core/schema/memory.js";
import { type CommonOptions, withCommon, withContext } from "../context.js";
import { escapeControl, itemJson, itemLines } from "../format.js";
import { type CliIO, printJson } from "../io.js";

/**
 * list / get / delete / history / rollback. Memory ids are looked up only in cubes the acting
 * user may read (or in --cube, read access checked), then the action is checked on the cube that
 * holds the memory: get and history need read, rollback write, delete delete (exit 3 otherwise).
 */
export function registerItemCommands(program: Command, io: CliIO): void {
  withCommon(program.command("list"))
    .description("list memories (newest first)")
    .option("--type <memoryType>", "only this memory_type, e.g. UserMemory")
    .option("--limit <n>", "at most this many", "100")
    .action(async (opts: CommonOptions & { type?: string; limit: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new InvalidInputError({
          message: `--limit must be a positive integer, got "${opts.limit}"`,
          hint: "e.g. --limit 20",
        });
      if (opts.type !== undefined && !(KNOWN_MEMORY_TYPES as readonly string[]).includes(opts.type))
        throw new InvalidInputError({
          message: `--type must be a memory type, got "${opts.type}"`,
          hint: `memory types: ${KNOWN_MEMORY_TYPES.join(", ")}`,
        });
      await withContext(io, opts, async (ctx) => {
        const filter = opts.type ? { memory_type: opts.type } : undefined;
        const { results, failedCubes } = await ctx.eachReadCube((cube) =>
          cube.text.store.listItems({ filter, limit, order: "desc" }),
        );
        const rows = results.flatMap((r) => r.value.map((item) => ({ cube: r.cubeId, item })));
        rows.sort((a, b) =>
          (b.item.metadata.created_at ?? "").localeCompare(a.item.metadata.created_at ?? ""),
        );
        const shown = rows.slice(0, limit);
        if (ctx.json)
          printJson(io, {
            memories: shown.map((r) => itemJson(r.item, { cube_id: r.cube })),
            failed_cubes: failedCubes,
          });
        else if (shown.length === 0) io.stdout("No memories.\n");
        else for (const r of shown) io.stdout(itemLines(r.item));
      });
    });

  withCommon(program.command("get").argument("<id>", "memory id"))
    .description("show one memory with its metadata")
    .action(async (id: string, opts: CommonOptions) => {
      await withContext(io, opts, async (ctx) => {
        const { cube_id, memory: item } = await ctx.mos.get(id, { userId: ctx.user, cubeId: opts.cube });
        if (ctx.json) printJson(io, itemJson(item, { cube_id }));
        else {
          const { embedding: _e, history: _h, ...rest } = item.metadata;
          io.stdout(itemLines(item));
          io.stdout(`${escapeControl(JSON.stringify(rest, null, 2))}\n`);
        }
      });
    });

  withCommon(program.command("delete").argument("<id>", "memory id"))
    .description("delete one memory")
    .action(async (id: string, opts: CommonOptions) => {
      await withContext(io, opts, async (ctx) => {
        const [done] = await ctx.mos.delete(id, { userId: ctx.user, cubeId: opts.cube });
        if (ctx.json) printJson(io, { deleted: [id], cube_id: done?.cube_id });
        else io.stdout(`Deleted ${id}\n`);
      });
    });

  withCommon(program.command("history").argument("<id>", "memory id"))
    .description("show the versions of a memory")
    .action(async (id: string, opts: CommonOptions) => {
      await withContext(io, opts, async (ctx) => {
        const h = await ctx.mos.history(id, { userId: ctx.user, cubeId: opts.cube });
        if (ctx.json) printJson(io, h);
        else {
          for (const e of h.history)
            io.stdout(escapeControl(`v${e.version} (${e.update_type}, ${e.created_at}): ${e.memory}\n`));
          io.stdout(
            `${escapeControl(`v${h.current.version} (current, ${h.current.updated_at ?? ""}): ${h.current.memory}`)}\n`,
          );
        }
      });
    });

  withCommon(program.command("rollback").argument("<id>", "memory id"))
    .description("restore the text of an earlier version, as a new version")
    .requiredOption("--to <version>", "the version to restore")
    .action(async (id: string, opts: CommonOptions & { to: string }) => {
      const version = Number(opts.to);
      if (!Number.isInteger(version) || version < 1)
        throw new InvalidInputError({
          message: `--to must be a version number, got "${opts.to}"`,
          hint: `see memos history ${id}`,
        });
      await withContext(io, opts, async (ctx) => {
        const { cube_id, memory: item } = await ctx.mos.rollback(id, version, {
          userId: ctx.user,
          cubeId: opts.cube,
        });
        if (ctx.json) printJson(io, itemJson(item, { cube_id }));
        else io.stdout(`Restored version ${version} of ${id} as version ${item.metadata.version}\n`);
      });
    });
}
