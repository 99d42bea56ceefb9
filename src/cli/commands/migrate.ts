import { MultiBar, Presets } from "cli-progress";
import type { Command } from "commander";
import { InvalidInputError } from "../../core/errors/index.js";
import { type CliIO, printJson } from "../io.js";
import { type CopyReport, copyStore, DEFAULT_BATCH } from "./migrate-copy.js";
import { type Location, listStores, openStore, parseLocation } from "./migrate-locations.js";

/** Options of {@link migrateStores}. */
export interface MigrateOptions {
  from: string;
  to: string;
  /** Only these cubes (directory names); default every cube at `from`. */
  cubes?: string[];
  batch?: number;
  onProgress?: (store: string, phase: "items" | "edges", done: number, total: number) => void;
}

/** One store's migration, as `memos migrate --json` prints it. */
export interface MigratedStore extends Omit<CopyReport, "source" | "target"> {
  store: string;
  items: number;
  vectors: number;
  checksum: string;
}

/**
 * Copy every store of every cube at `from` to `to` (sqlite:DIR ↔ postgres://…), verified by
 * counts and checksums, resumable. Stores are copied one after another; a store's target is
 * created when missing.
 *
 * @example
 * await migrateStores({ from: "sqlite:.memos", to: "postgres://memos@localhost/memos" });
 */
export async function migrateStores(options: MigrateOptions): Promise<MigratedStore[]> {
  const from = parseLocation(options.from, "--from");
  const to = parseLocation(options.to, "--to");
  if (from.kind === to.kind) {
    throw new InvalidInputError({
      message: `--from and --to are both ${from.kind}`,
      hint: "migrate between sqlite:DIR and postgres://… (either way)",
    });
  }
  const batch = options.batch ?? DEFAULT_BATCH;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new InvalidInputError({
      message: `--batch must be a positive integer, got ${batch}`,
      hint: "e.g. --batch 500",
    });
  }
  let names = await listStores(from);
  if (options.cubes && options.cubes.length > 0) {
    const wanted = new Set(options.cubes);
    const unknown = options.cubes.filter((c) => !names.some((n) => n.startsWith(`${c}/`)));
    if (unknown.length > 0) {
      throw new InvalidInputError({
        message: `no cube ${unknown.map((c) => `"${c}"`).join(", ")} at ${describe(from)}`,
        hint: `cubes there: ${[...new Set(names.map((n) => n.slice(0, n.lastIndexOf("/"))))].join(", ") || "none"}`,
      });
    }
    names = names.filter((n) => wanted.has(n.slice(0, n.lastIndexOf("/"))));
  }
  if (names.length === 0) {
    throw new InvalidInputError({
      message: `no cube stores at ${describe(from)}`,
      hint: "sqlite:DIR is a MEMOS_HOME (cubes/<cube>/memory.db) or one cube directory",
    });
  }
  const out: MigratedStore[] = [];
  for (const name of names) {
    const source = await openStore(from, name);
    try {
      const target = await openStore(to, name, source.dimensions);
      try {
        const report = await copyStore(source, target, {
          batch,
          onProgress: (phase, done, total) => options.onProgress?.(name, phase, done, total),
        });
        out.push({
          store: name,
          copied: report.copied,
          skipped: report.skipped,
          edges: report.edges,
          items: report.target.items,
          vectors: report.target.vectors,
          checksum: report.target.checksum,
        });
      } finally {
        await target.close();
      }
    } finally {
      await source.close();
    }
  }
  return out;
}

function describe(loc: Location): string {
  return loc.kind === "sqlite" ? `sqlite:${loc.dir}` : "the PostgreSQL database";
}

/** `memos migrate --from sqlite:DIR --to postgres://…` (and back). */
export function registerMigrate(program: Command, io: CliIO): void {
  program
    .command("migrate")
    .description(
      "copy cubes between stores (sqlite:DIR ↔ postgres://…), verified by counts and checksums; rerun to resume",
    )
    .requiredOption("--from <location>", "sqlite:DIR (a MEMOS_HOME or a cube directory) or postgres://…")
    .requiredOption("--to <location>", "postgres://… or sqlite:DIR")
    .option("--cube <names...>", "only these cubes (default: all)")
    .option("--batch <n>", "memories per transaction", (v) => Number(v), DEFAULT_BATCH)
    .option("--json", "print exact JSON")
    .action(async (opts: { from: string; to: string; cube?: string[]; batch: number; json?: boolean }) => {
      const bars = io.interactive
        ? new MultiBar(
            { stream: process.stderr, format: "{store} {phase} {bar} {value}/{total}", hideCursor: true },
            Presets.shades_classic,
          )
        : undefined;
      const current = new Map<string, ReturnType<MultiBar["create"]>>();
      try {
        const stores = await migrateStores({
          from: opts.from,
          to: opts.to,
          ...(opts.cube ? { cubes: opts.cube } : {}),
          batch: opts.batch,
          onProgress: (store, phase, done, total) => {
            if (!bars) return;
            const key = `${store} ${phase}`;
            let bar = current.get(key);
            if (!bar) {
              bar = bars.create(total, 0, { store: store.padEnd(24), phase: phase.padEnd(5) });
              current.set(key, bar);
            }
            bar.update(done);
          },
        });
        bars?.stop();
        if (opts.json) printJson(io, { stores });
        else {
          for (const s of stores) {
            io.stdout(
              `${s.store}: ${s.items} memories (${s.vectors} vectors), ${s.edges} edges; copied ${s.copied}, already there ${s.skipped}; verified (sha256 ${s.checksum.slice(0, 12)})\n`,
            );
          }
        }
      } finally {
        bars?.stop();
      }
    });
}
