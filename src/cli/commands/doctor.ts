import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import type { Command } from "commander";
import pc from "picocolors";
import { errorMessage } from "../../core/errors/error-message.js";
import { MemosError } from "../../core/errors/index.js";
import type { LoRAMemory } from "../../memory/parametric/lora-memory.js";
import { llamaCppModelFromEnv, parametricStatus } from "../../memory/parametric/status.js";
import { MemosHome } from "../../mos/home.js";
import { checkDatabase, damagedError, homeDatabases } from "../../mos/integrity.js";
import { REGISTRY_FILE } from "../../mos/registry.js";
import {
  embedderConfigFromEnv,
  embedderFromEnv,
  languageModelFromEnv,
  llmConfigFromEnv,
} from "../../providers/shared/from-env.js";
import { generateText } from "../../providers/shared/generate-text.js";
import { type CliIO, printJson } from "../io.js";

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  error?: { code: string; message: string; hint?: string };
}

interface DoctorOptions {
  dir?: string;
  user?: string;
  json?: boolean;
  timeout: string;
  full?: boolean;
}

const PROBE = "The quick brown fox visits Lisbon.";

/** Runs one check, turning any failure into a row that names the cause. */
async function check(name: string, body: () => Promise<string>): Promise<Check> {
  const started = performance.now();
  try {
    const detail = await body();
    return { name, ok: true, detail: `${detail} (${Math.round(performance.now() - started)} ms)` };
  } catch (error) {
    const e = MemosError.isInstance(error)
      ? error.toJSON()
      : { code: "internal", message: errorMessage(error) };
    return { name, ok: false, detail: e.message, error: e };
  }
}

export function registerDoctor(program: Command, io: CliIO): void {
  program
    .command("doctor")
    .description(
      "show what is configured, check that each provider answers and that every database is intact",
    )
    .option("--dir <dir>", "MEMOS_HOME (default $MEMOS_HOME or ./.memos)")
    .option("--user <name>", "acting user")
    .option("--json", "print exact JSON")
    .option("--timeout <ms>", "how long an LLM may take to answer", "60000")
    .option("--full", "run SQLite's integrity_check (slower, verifies indexes) instead of quick_check")
    .action(async (opts: DoctorOptions) => {
      const checks: Check[] = [];
      const dir = MemosHome.resolveDir(opts.dir);
      let home: MemosHome | undefined;
      checks.push(
        await check("home", async () => {
          home = MemosHome.open(dir);
          return `${dir}: users ${home.users().join(", ")}`;
        }),
      );
      if (home) {
        const h: MemosHome = home;
        const user = opts.user ?? h.defaultUser;
        for (const cubeId of h.readableCubes(h.requireUser(user))) {
          let parametric: LoRAMemory | undefined;
          checks.push(
            await check(`cube ${cubeId}`, async () => {
              const cube = await h.openCube(cubeId);
              parametric = cube.parametric;
              try {
                const [v] = await cube.text.embedder.doEmbed([PROBE]);
                const n = await cube.text.store.count();
                return `${n} memories; embedder ${cube.text.embedder.provider}:${cube.text.embedder.modelId} (${v?.length}-d); store ${cube.text.store.provider}`;
              } finally {
                await cube.close();
              }
            }),
          );
          const para = parametric as LoRAMemory | undefined;
          if (para)
            checks.push(await check(`lora ${cubeId}`, () => parametricStatus(para, llamaCppModelFromEnv())));
        }
      }
      // SQLite's own integrity check on every database this home owns (the registry even when
      // it would not open: that is when naming the damaged file matters most).
      const opened = home as MemosHome | undefined;
      const databases = opened
        ? homeDatabases(opened, opts.user ?? opened.defaultUser)
        : existsSync(join(dir, REGISTRY_FILE))
          ? [{ owner: "registry", path: join(dir, REGISTRY_FILE) }]
          : [];
      for (const db of databases) {
        checks.push(
          await check(`database ${relative(dir, db.path) || db.path}`, async () => {
            const report = checkDatabase(db.path, { full: Boolean(opts.full) });
            if (!report.ok) throw damagedError(db, report);
            return `${opts.full ? "integrity_check" : "quick_check"} ok (${db.owner})`;
          }),
        );
      }
      (home as MemosHome | undefined)?.close();
      const llmConfig = check("llm", async () => {
        const config = llmConfigFromEnv();
        if (!config)
          return "not configured (set MEMOS_LLM, e.g. openai:gpt-4o-mini, ollama:qwen2.5, llama-cpp:/path/model.gguf)";
        const model = await languageModelFromEnv();
        if (!model) return "not configured";
        const { text } = await generateText(
          model,
          [{ role: "user", content: "Reply with the single word OK." }],
          {
            maxTokens: 8,
            timeoutMs: Number(opts.timeout),
          },
        );
        return `${model.provider}:${model.modelId} answered ${JSON.stringify(text.trim().slice(0, 40))}`;
      });
      checks.push(await llmConfig);
      if (embedderConfigFromEnv()) {
        checks.push(
          await check("embedder (MEMOS_EMBEDDER)", async () => {
            const embedder = await embedderFromEnv();
            const [v] = (await embedder?.doEmbed([PROBE])) ?? [];
            return `${embedder?.provider}:${embedder?.modelId} (${v?.length}-d)`;
          }),
        );
      }
      const failed = checks.filter((c) => !c.ok);
      if (opts.json) printJson(io, { ok: failed.length === 0, checks });
      else {
        for (const c of checks) {
          const hint = c.error?.hint ? pc.dim(` (hint: ${c.error.hint})`) : "";
          io.stdout(`${c.ok ? pc.green("ok  ") : pc.red("FAIL")} ${c.name}: ${c.detail}${hint}\n`);
        }
      }
      if (failed.length > 0) {
        const first = failed[0] as Check;
        // Exit code of the first failure's kind (2 for config/auth), never 0.
        throw new DoctorFailed(first, failed.length);
      }
    });
}

/** Carries doctor's verdict to main, which prints it as the one-line error and picks the exit code. */
class DoctorFailed extends MemosError {
  constructor(first: Check, count: number) {
    super({
      code: (first.error?.code as MemosError["code"]) ?? "internal",
      message: `${count} check${count === 1 ? "" : "s"} failed; first: ${first.name}: ${first.detail}`,
      hint: first.error?.hint ?? "see the lines above",
    });
  }
}
