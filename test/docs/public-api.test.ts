/**
 * The public API is a list we chose: `src/index.ts` names every export (no `export *`), and every
 * public name carries TSDoc, so a user's editor explains what they import. The same holds for the
 * `memos-ts/test` subpath (conformance suites and test doubles for third-party backends).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const ENTRIES = ["src/index.ts", "src/testing/index.ts"];

function undocumented(entry: string): { names: string[]; count: number } {
  const file = join(ROOT, entry);
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`cannot read ${entry}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${entry} is not a module`);
  const exports = checker.getExportsOfModule(moduleSymbol);
  const missing: string[] = [];
  for (const exported of exports) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const doc = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
    // A zod schema and its inferred type share one name: either declaration's comment counts.
    const declDocs = (symbol.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0);
    if (!doc && !declDocs) missing.push(exported.name);
  }
  return { names: missing.sort(), count: exports.length };
}

describe("public API", () => {
  it("src/index.ts names its exports one by one", () => {
    const text = readFileSync(join(ROOT, "src/index.ts"), "utf8");
    expect(text).not.toMatch(/export\s+\*/);
  });

  for (const entry of ENTRIES) {
    it(`every name exported by ${entry} has TSDoc`, () => {
      const { names, count } = undocumented(entry);
      expect(count).toBeGreaterThan(10);
      expect(names).toEqual([]);
    }, 120_000);
  }
});
