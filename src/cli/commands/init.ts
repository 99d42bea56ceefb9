import type { Command } from "commander";
import { MemosHome } from "../../mos/home.js";
import { type CliIO, printJson } from "../io.js";

export function registerInit(program: Command, io: CliIO): void {
  program
    .command("init")
    .description("create a MemOS home with a user and its default cube (embedded defaults)")
    .option("--dir <dir>", "where (default $MEMOS_HOME or ./.memos)")
    .option("--user <name>", "the user to create", "default")
    .option("--json", "print exact JSON")
    .action(async (opts: { dir?: string; user: string; json?: boolean }) => {
      const dir = MemosHome.resolveDir(opts.dir);
      const { home, created } = await MemosHome.init(dir, { user: opts.user });
      const cube = home.defaultCubeOf(opts.user);
      home.close();
      if (opts.json) printJson(io, { dir, user: opts.user, cube_id: cube, created });
      else
        io.stdout(
          `${created ? "Initialised" : "Already initialised:"} MemOS home at ${dir} (user "${opts.user}", cube "${cube}")\n`,
        );
    });
}
