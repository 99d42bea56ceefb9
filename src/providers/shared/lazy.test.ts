import { describe, expect, it } from "vitest";
import { MissingDependencyError } from "../../core/errors/missing-dependency-error.js";
import { importOptional, packageRoot } from "./lazy.js";

describe("importOptional", () => {
  it("a package that is not installed → MissingDependencyError naming `npm install <pkg>`", async () => {
    const error = await importOptional("memos-ts-no-such-package-4f1c", "the test backend").catch(
      (e: unknown) => e,
    );
    expect(MissingDependencyError.isInstance(error)).toBe(true);
    expect((error as MissingDependencyError).code).toBe("missing_dependency");
    expect((error as MissingDependencyError).message).toMatch(
      /the test backend needs the optional package "memos-ts-no-such-package-4f1c"/,
    );
    expect((error as MissingDependencyError).hint).toBe("npm install memos-ts-no-such-package-4f1c");
  });

  it("a scoped subpath names the package root", async () => {
    const error = await importOptional("@memos-ts-none/client/sub", "x").catch((e: unknown) => e);
    expect((error as MissingDependencyError).hint).toBe("npm install @memos-ts-none/client");
  });

  it("an installed package loads", async () => {
    const mod = await importOptional<typeof import("ollama")>("ollama", "the Ollama backend");
    expect(typeof mod.Ollama).toBe("function");
  });

  it("packageRoot", () => {
    expect(packageRoot("openai/resources")).toBe("openai");
    expect(packageRoot("@huggingface/transformers")).toBe("@huggingface/transformers");
    expect(packageRoot("@a/b/c")).toBe("@a/b");
  });
});
