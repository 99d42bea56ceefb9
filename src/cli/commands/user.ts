import type { Command } from "commander";
import { type CommonOptions, withCommon, withContext } from "../context.js";
import { type CliIO, printJson } from "../io.js";

/**
 * `memos user add NAME [--role R]` (acting user --user: root or an admin; only root makes
 * admins) and `memos user list`.
 */
export function registerUser(program: Command, io: CliIO): void {
  const user = program.command("user").description("manage users (roles: root, admin, user, guest)");

  withCommon(user.command("add").argument("<name>", "the new user's id"))
    .description("create a user and its default cube (guests get none); needs root or admin")
    .option("--role <role>", "admin, user or guest", "user")
    .option("--name <display>", "display name (default: the id)")
    .action(async (name: string, opts: CommonOptions & { role: string; name?: string }) => {
      await withContext(io, { ...opts, cube: undefined }, async (ctx) => {
        const created = await ctx.mos.createUser(name, {
          role: opts.role,
          name: opts.name,
          actingUser: ctx.user,
        });
        const { api_key_hash: _key, ...shown } = created;
        if (ctx.json) printJson(io, { ...shown, created_by: ctx.user });
        else
          io.stdout(
            `Created ${created.role} "${created.user_id}"${created.default_cube ? ` with cube "${created.default_cube}"` : ""}\n`,
          );
      });
    });

  withCommon(user.command("list"))
    .description("list users")
    .action(async (opts: CommonOptions) => {
      await withContext(io, { ...opts, cube: undefined }, async (ctx) => {
        const users = ctx.mos.listUsers();
        if (ctx.json) {
          printJson(io, { users });
          return;
        }
        for (const u of users)
          io.stdout(
            `${u.user_id}\t${u.role}\t${u.default_cube ?? "-"}\t${u.created_at}${u.user_id === ctx.home.defaultUser ? "\t(default)" : ""}\n`,
          );
      });
    });
}
