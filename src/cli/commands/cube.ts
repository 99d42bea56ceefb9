import type { Command } from "commander";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import type { CubeTextBackend } from "../../cube/config.js";
import { TEXT_MEMORY_BACKENDS } from "../../cube/memory-backends/text-backends.js";
import { type CommonOptions, withCommon, withContext } from "../context.js";
import { type CliIO, printJson } from "../io.js";

/**
 * `memos cube create NAME`, `cube share NAME --with OTHER [--permission read|write]`,
 * `cube unshare NAME --with OTHER`, `cube unregister NAME`, `cube leave NAME`, `cube list`. NAME
 * is a cube id, or a short name resolved as every command resolves --cube (`resolveCubeId`: the
 * user's own cube, then one shared with them), so `memos cube share notes --user alice --with
 * bob` shares "alice/notes". `cube create NAME` makes "<owner>/NAME".
 */
export function registerCube(program: Command, io: CliIO): void {
  const cube = program.command("cube").description("manage cubes and who may read or write them");

  withCommon(cube.command("create").argument("<name>", "cube name (id: OWNER/NAME) or full id"))
    .description("create a cube owned by --owner (default: --user)")
    .option("--owner <user>", "who owns it (root and admins may create cubes for others)")
    .option("--text-backend <backend>", "general_text, tree_text or naive_text", "general_text")
    .action(async (name: string, opts: CommonOptions & { owner?: string; textBackend: string }) => {
      if (!(TEXT_MEMORY_BACKENDS as readonly string[]).includes(opts.textBackend)) {
        throw new InvalidInputError({
          message: `--text-backend must be ${TEXT_MEMORY_BACKENDS.join(", ")}, got "${opts.textBackend}"`,
          hint: "e.g. --text-backend tree_text",
        });
      }
      const textBackend = opts.textBackend as CubeTextBackend;
      await withContext(io, { ...opts, cube: undefined }, async (ctx) => {
        const owner = opts.owner ?? ctx.user;
        const cubeId = await ctx.mos.createCubeForUser(name, owner, { actingUser: ctx.user, textBackend });
        if (ctx.json) printJson(io, { cube_id: cubeId, owner, text_backend: textBackend });
        else io.stdout(`Created cube "${cubeId}" (owner "${owner}")\n`);
      });
    });

  withCommon(cube.command("share").argument("<name>", "cube name or id"))
    .description("let another user read (or read and write) a cube; needs its owner, root or an admin")
    .requiredOption("--with <user>", "who gets access")
    .option("--permission <permission>", "read or write", "read")
    .action(async (name: string, opts: CommonOptions & { with: string; permission: string }) => {
      await withContext(io, { ...opts, cube: undefined }, async (ctx) => {
        const share = ctx.mos.shareCubeWithUser(name, {
          actingUser: ctx.user,
          targetUser: opts.with,
          permission: opts.permission,
        });
        if (ctx.json) printJson(io, share);
        else io.stdout(`Shared cube "${share.cube_id}" with "${share.user_id}" (${share.permission})\n`);
      });
    });

  withCommon(cube.command("unshare").argument("<name>", "cube name or id"))
    .description("revoke a user's access to a cube")
    .requiredOption("--with <user>", "whose access to revoke")
    .action(async (name: string, opts: CommonOptions & { with: string }) => {
      await withContext(io, { ...opts, cube: undefined }, async (ctx) => {
        const cubeId = ctx.mos.resolveCubeId(name, { userId: ctx.user });
        const removed = ctx.mos.unshareCube(cubeId, { actingUser: ctx.user, targetUser: opts.with });
        if (ctx.json) printJson(io, { cube_id: cubeId, user_id: opts.with, removed });
        else
          io.stdout(
            removed
              ? `"${opts.with}" no longer has access to "${cubeId}"\n`
              : `"${cubeId}" was not shared with "${opts.with}"\n`,
          );
      });
    });

  withCommon(cube.command("unregister").argument("<name>", "cube name or id"))
    .description("forget a cube (its directory stays); needs its owner, root or an admin")
    .action(async (name: string, opts: CommonOptions) => {
      await withContext(io, { ...opts, cube: undefined }, async (ctx) => {
        const cubeId = ctx.mos.resolveCubeId(name, { userId: ctx.user });
        await ctx.mos.unregisterMemCube(cubeId, { userId: ctx.user });
        if (ctx.json) printJson(io, { cube_id: cubeId, unregistered: true });
        else io.stdout(`Unregistered cube "${cubeId}"\n`);
      });
    });

  withCommon(cube.command("leave").argument("<name>", "cube name or id"))
    .description("stop reading a cube someone shared with you (your share is removed)")
    .action(async (name: string, opts: CommonOptions) => {
      await withContext(io, { ...opts, cube: undefined }, async (ctx) => {
        const cubeId = ctx.mos.leaveCube(name, { userId: ctx.user });
        if (ctx.json) printJson(io, { cube_id: cubeId, user_id: ctx.user, left: true });
        else io.stdout(`"${ctx.user}" left cube "${cubeId}"\n`);
      });
    });

  withCommon(cube.command("list"))
    .description("list the cubes the user may read, with their access")
    .action(async (opts: CommonOptions) => {
      await withContext(io, { ...opts, cube: undefined }, async (ctx) => {
        const cubes = ctx.mos.listCubes({ userId: ctx.user });
        if (ctx.json) {
          printJson(io, { user: ctx.user, cubes });
          return;
        }
        if (cubes.length === 0) io.stdout("No cubes.\n");
        for (const c of cubes) {
          const shares = c.shared_with?.length
            ? `\tshared with ${c.shared_with.map((s) => `${s.user_id} (${s.permission})`).join(", ")}`
            : "";
          io.stdout(`${c.cube_id}\towner ${c.owner}\t${c.access}${shares}\n`);
        }
      });
    });
}
