import type { Command } from "commander";
import type { LanguageModel } from "../core/interfaces/language-model.js";
import type { MemCube } from "../cube/mem-cube.js";
import { MemosHome } from "../mos/home.js";
import { MOS } from "../mos/mos.js";
import type { Action } from "../mos/roles.js";
import { type CubeFailure, cubeFailure, failureWarning } from "../mos/search-result.js";
import { escapeControl } from "./format.js";
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

  /**
   * Run `body` on each cube a read covers: --cube (read access checked; its failure fails the
   * command), else every cube the user reads by default, where a cube that fails to open or to
   * answer is skipped with a warning on stderr naming it and why, as long as one answered (see
   * `MOS.search`). Returns the answers and the failures (for --json output).
   */
  async eachReadCube<T>(
    body: (cube: MemCube) => Promise<T>,
  ): Promise<{ results: { cubeId: string; value: T }[]; failedCubes: CubeFailure[] }> {
    if (this.options.cube) {
      const cube = await this.cube("read", this.options.cube);
      return { results: [{ cubeId: cube.cubeId, value: await body(cube) }], failedCubes: [] };
    }
    const ids = this.home.readableCubes(this.user);
    const settled = await Promise.allSettled(
      ids.map(async (id) => body(await this.mos.openCube(id, { userId: this.user, action: "read" }))),
    );
    const results: { cubeId: string; value: T }[] = [];
    const failedCubes: CubeFailure[] = [];
    settled.forEach((s, i) => {
      const cubeId = ids[i] as string;
      if (s.status === "fulfilled") results.push({ cubeId, value: s.value });
      else failedCubes.push(cubeFailure(cubeId, s.reason));
    });
    const first = settled.find((s) => s.status === "rejected");
    if (first && results.length === 0) throw first.reason;
    for (const f of failedCubes) this.io.stderr(`memos: warning: ${escapeControl(failureWarning(f))}\n`);
    return { results, failedCubes };
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
