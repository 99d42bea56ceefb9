/**
 * `memos lora …` on the generated GGUFs: the adapter lifecycle through the CLI, its refusals
 * (exit 2 with the reason), and the ACL (a user who may only read the cube cannot add, activate
 * or remove: exit 3, nothing changed).
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedTestGguf, type TestGgufFiles } from "../../../scripts/make-test-gguf.js";
import { tempDir } from "../../mos/test-helpers.js";
import { json, memos } from "../test-helpers.js";

describe.sequential("memos lora", () => {
  const t = tempDir("memos-cli-lora-");
  const home = join(t.dir, "home");
  let files: TestGgufFiles;
  const as = (user: string, ...argv: string[]) => memos("lora", ...argv, "--dir", home, "--user", user);

  beforeAll(async () => {
    files = cachedTestGguf();
    expect((await memos("init", "--dir", home, "--user", "olive")).code).toBe(0);
    for (const u of ["rita", "will"])
      expect((await memos("user", "add", u, "--dir", home, "--user", "olive")).code).toBe(0);
    for (const [who, perm] of [
      ["rita", "read"],
      ["will", "write"],
    ] as const) {
      const r = await memos(
        "cube",
        "share",
        "default",
        "--with",
        who,
        "--permission",
        perm,
        "--dir",
        home,
        "--user",
        "olive",
      );
      expect(r.code).toBe(0);
    }
  });
  afterAll(() => t.cleanup());

  it("add → list → activate → deactivate → remove, and the cube's config gains para_mem: lora", async () => {
    const added = await as(
      "olive",
      "add",
      files.loraFile,
      "--name",
      "style",
      "--base",
      files.modelFile,
      "--description",
      "test style",
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(
      /^Added LoRA adapter "style" to cube "olive\/default" \(4 tensors, rank 4, inactive\)/,
    );
    const config = JSON.parse(readFileSync(join(home, "cubes", "olive__default", "config.json"), "utf8"));
    expect(config.para_mem).toEqual({
      backend: "lora",
      config: { extractor_llm: { backend: "llama-cpp", config: { model_name_or_path: files.modelFile } } },
    });

    const listed = json(await as("olive", "list", "--json"));
    expect(listed.cubes).toEqual([
      {
        cube_id: "olive/default",
        adapters: [expect.objectContaining({ name: "style", active: false, description: "test style" })],
      },
    ]);
    expect((await as("olive", "activate", "style", "--scale", "0.5")).stdout).toBe(
      'Activated LoRA adapter "style" in cube "olive/default" (scale 0.5)\n',
    );
    expect((await as("olive", "list")).stdout).toMatch(
      /olive\/default {2}style {2}active ×0\.5 {2}base tiny-random-llama/,
    );
    expect((await as("olive", "deactivate", "style")).code).toBe(0);
    expect(json(await as("olive", "list", "--json")).cubes[0].adapters[0].active).toBe(false);
    // Later adds find the base model in the cube's config.
    expect((await as("olive", "add", files.loraFile, "--name", "second")).code).toBe(0);
    expect((await as("olive", "remove", "second")).code).toBe(0);
  });

  it("refusals are one line with the reason, exit 2, and add nothing", async () => {
    const model = await as("olive", "add", files.modelFile, "--name", "model");
    expect(model.code).toBe(2);
    expect(model.stderr).toMatch(/^memos: .*is not an adapter.*\(hint: /);
    const scale = await as("olive", "activate", "style", "--scale", "lots");
    expect(scale.code).toBe(2);
    const missing = await as("olive", "activate", "nope");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no LoRA adapter named "nope"');
    expect(
      json(await as("olive", "list", "--json")).cubes[0].adapters.map((a: { name: string }) => a.name),
    ).toEqual(["style"]);
  });

  it("a user who may only read the cube cannot add, activate, deactivate or remove (exit 3); they can list", async () => {
    const before = readFileSync(join(home, "cubes", "olive__default", "parametric", "index.json"), "utf8");
    for (const argv of [
      ["add", files.loraFile, "--name", "rita", "--base", files.modelFile],
      ["activate", "style"],
      ["deactivate", "style"],
      ["remove", "style"],
    ]) {
      const r = await as("rita", ...argv, "--cube", "olive/default");
      expect(r.code, argv.join(" ")).toBe(3);
      expect(r.stderr).toMatch(/may not/);
    }
    expect(readFileSync(join(home, "cubes", "olive__default", "parametric", "index.json"), "utf8")).toBe(
      before,
    );
    expect(existsSync(join(home, "cubes", "olive__default", "parametric", "rita.gguf"))).toBe(false);
    const listed = json(await as("rita", "list", "--cube", "olive/default", "--json"));
    expect(listed.cubes[0].adapters.map((a: { name: string }) => a.name)).toEqual(["style"]);
    // A user the cube is shared with for writing may.
    const will = await as("will", "activate", "style", "--cube", "olive/default");
    expect(will.code, will.stderr).toBe(0);
  });

  it("memos doctor has a line per cube with adapters, and fails it when a file no longer matches its sha256", async () => {
    const doctor = () => memos("doctor", "--dir", home, "--user", "olive", "--json");
    const ok = json(await doctor());
    expect(ok.checks).toContainEqual(
      expect.objectContaining({
        name: "lora olive/default",
        ok: true,
        detail: expect.stringMatching(
          /^1 LoRA adapter, 1 active \(style ×0\.5\); checksums ok; applied only when/,
        ),
      }),
    );
    appendFileSync(join(home, "cubes", "olive__default", "parametric", "style.gguf"), "x");
    const failed = await doctor();
    expect(failed.code).toBe(1);
    expect(json(failed).checks).toContainEqual(
      expect.objectContaining({
        name: "lora olive/default",
        ok: false,
        detail: expect.stringMatching(/checksum mismatch/),
      }),
    );
  });
});
