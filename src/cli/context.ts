import type { Command } from "commander";
import { MemCube } from "../cube/mem-cube.js";
import { MemosHome } from "../mos/home.js";
import type { CliIO } from "./io.js";

/** Options every command takes (DESIGN.md section 6). */
export interface CommonOptions {
  dir?: string;
  user?: string;
  cube?: string;
  json?: boolean;
}

export function withCommon(cmd: Command): Command {
  return cmd
    .option("--dir <dir>", "MEMOS_HOME: registry of users and cubes (default $MEMOS_HOME or ./.memos)")
    .option("--user <name>", "acting user (default: the user `memos init` made)")
    .option("--cube <id>", "cube to use (default: the user's default cube for writes, all readable cubes for reads)")
    .option("--json", "print exact JSON");
}

/** A resolved invocation: home, acting user, and the cubes it touches (closed by `close`). */
export class CliContext {
  private readonly opened = new Map<string, MemCube>();

  private constructor(
    readonly io: CliIO,
    readonly home: MemosHome,
    readonly user: string,
    readonly options: CommonOptions,
  ) {}

  static open(io: CliIO, options: CommonOptions): CliContext {
    const home = MemosHome.open(MemosHome.resolveDir(options.dir));
    const user = home.requireUser(options.user ?? home.defaultUser);
    return new CliContext(io, home, user, options);
  }

  get json(): boolean {
    return Boolean(this.options.json);
  }

  /** The cube writes go to: --cube, else the user's default. */
  async writeCube(): Promise<MemCube> {
    const id = this.options.cube ?? this.home.defaultCubeOf(this.user);
    return this.cube(this.home.requireCube(id, this.user));
  }

  /** Cubes reads cover: --cube, else every cube the user may read. */
  async readCubes(): Promise<MemCube[]> {
    const ids = this.options.cube ? [this.home.requireCube(this.options.cube, this.user)] : this.home.readableCubes(this.user);
    return Promise.all(ids.map((id) => this.cube(id)));
  }

  private async cube(id: string): Promise<MemCube> {
    let cube = this.opened.get(id);
    if (!cube) {
      cube = await this.home.openCube(id);
      this.opened.set(id, cube);
    }
    return cube;
  }

  async close(): Promise<void> {
    await Promise.all([...this.opened.values()].map((c) => c.close()));
    this.opened.clear();
  }
}

/** Run a command body with a context, closing every cube it opened. */
export async function withContext<T>(io: CliIO, options: CommonOptions, body: (ctx: CliContext) => Promise<T>): Promise<T> {
  const ctx = CliContext.open(io, options);
  try {
    return await body(ctx);
  } finally {
    await ctx.close();
  }
}
