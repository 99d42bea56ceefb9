import type { Command } from "commander";
import type { LanguageModel } from "../core/interfaces/language-model.js";
import type { MemCube } from "../cube/mem-cube.js";
import { MemosHome } from "../mos/home.js";
import { MOS } from "../mos/mos.js";
import type { Action } from "../mos/roles.js";
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
    .option(
      "--cube <id>",
      "cube to use (default: the user's default cube for writes, all readable cubes for reads)",
    )
    .option("--json", "print exact JSON");
}

/** What a command may add to its context (chat passes the LLM). */
export interface ContextExtras {
  llm?: LanguageModel;
}

/**
 * A resolved invocation: home, acting user, and a MOS acting for them. Every cube a command
 * touches comes through here or through `mos`, so the ACL sees every access: a denied cube is an
 * AccessDeniedError (exit 3) before any memory is read.
 */
export class CliContext {
  private constructor(
    readonly io: CliIO,
    readonly home: MemosHome,
    /** The MOS acting for `user` (cubes it opens are closed by `close`). */
    readonly mos: MOS,
    readonly options: CommonOptions,
  ) {}

  static open(io: CliIO, options: CommonOptions, extras: ContextExtras = {}): CliContext {
    const home = MemosHome.open(MemosHome.resolveDir(options.dir));
    try {
      return new CliContext(io, home, MOS.fromHome(home, { userId: options.user, llm: extras.llm }), options);
    } catch (error) {
      home.close();
      throw error;
    }
  }

  /** The acting user: --user, else the home's default user. */
  get user(): string {
    return this.mos.userId;
  }

  get json(): boolean {
    return Boolean(this.options.json);
  }

  /** The cube writes go to: --cube, else the user's default (write access checked). */
  async writeCube(): Promise<MemCube> {
    return this.cube("write");
  }

  /** Cubes reads cover: --cube (read access checked), else every cube the user reads by default. */
  async readCubes(): Promise<MemCube[]> {
    if (this.options.cube) return [await this.cube("read", this.options.cube)];
    return Promise.all(
      this.home
        .readableCubes(this.user)
        .map((id) => this.mos.openCube(id, { userId: this.user, action: "read" })),
    );
  }

  /** One cube for `action`: `cubeId`, else --cube, else the user's default cube. */
  async cube(action: Action, cubeId?: string): Promise<MemCube> {
    const id = cubeId ?? this.options.cube ?? this.home.defaultCubeOf(this.user);
    return this.mos.openCube(id, { userId: this.user, action });
  }

  /** The cube id a command acts on: --cube, else the user's default cube. */
  cubeId(): string {
    return this.options.cube ?? this.home.defaultCubeOf(this.user);
  }

  async close(): Promise<void> {
    try {
      await this.mos.close();
    } finally {
      this.home.close();
    }
  }
}

/** Run a command body with a context, closing every cube it opened. */
export async function withContext<T>(
  io: CliIO,
  options: CommonOptions,
  body: (ctx: CliContext) => Promise<T>,
  extras: ContextExtras = {},
): Promise<T> {
  const ctx = CliContext.open(io, options, extras);
  try {
    return await body(ctx);
  } finally {
    await ctx.close();
  }
}
