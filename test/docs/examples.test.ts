/**
 * Every ```ts block of README.md and docs/*.md is compiled against the public API, so the examples
 * cannot drift from it. Blocks import from "memos-ts", "memos-ts/internal" and "memos-ts/test",
 * mapped here to the sources. A block is a module of its own; top-level await is allowed.
 * A block that is deliberately a fragment (a signature, a diff) is fenced ```ts fragment.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const OUT = join(ROOT, ".cache", "doc-examples");

interface Block {
  file: string;
  line: number;
  code: string;
}

function blocksOf(path: string): Block[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s*$/.test(lines[i] ?? "")) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? "")) end++;
    blocks.push({ file: relative(ROOT, path), line: start, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return blocks;
}

function docFiles(): string[] {
  const docs = join(ROOT, "docs");
  return [
    join(ROOT, "README.md"),
    ...readdirSync(docs)
      .filter((f) => f.endsWith(".md"))
      .map((f) => join(docs, f)),
  ];
}

describe("documentation examples", () => {
  const blocks = docFiles().flatMap(blocksOf);

  it("there are examples to check (README and docs/extending.md at least)", () => {
    const files = new Set(blocks.map((b) => b.file));
    expect(files.has("README.md")).toBe(true);
    expect(files.has(join("docs", "extending.md"))).toBe(true);
  });

  it("every ```ts block compiles against the public API", () => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    const names = blocks.map((b, i) => {
      const name = `${String(i).padStart(2, "0")}-${b.file.replace(/[^a-z0-9]+/gi, "_")}-L${b.line}.ts`;
      writeFileSync(join(OUT, name), `${b.code}\nexport {};\n`);
      return name;
    });
    const tsconfig = {
      extends: "../../tsconfig.json",
      compilerOptions: {
        noEmit: true,
        rootDir: "../..",
        noUnusedLocals: false,
        paths: {
          "memos-ts": ["../../src/index.ts"],
          "memos-ts/internal": ["../../src/internal.ts"],
          "memos-ts/test": ["../../src/testing/index.ts"],
        },
      },
      include: names,
    };
    writeFileSync(join(OUT, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const run = spawnSync(process.execPath, [tsc, "-p", join(OUT, "tsconfig.json")], { encoding: "utf8" });
    // Point each error back at the document and line it came from.
    const report = (run.stdout + run.stderr).replace(
      /(?:\.cache\/doc-examples\/)?(\d\d)-[^(:\s]*-L(\d+)\.ts[(:](\d+)[,:](\d+)\)?/g,
      (_m, idx: string, _l: string, row: string, col: string) => {
        const b = blocks[Number(idx)];
        return b ? `${b.file}:${b.line + Number(row)}:${col}` : _m;
      },
    );
    expect(report.trim()).toBe("");
    expect(run.status).toBe(0);
  }, 180_000);
});
