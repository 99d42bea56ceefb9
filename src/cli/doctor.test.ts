import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cachedTestGguf } from "../../scripts/make-test-gguf.js";
import { type FixtureServer, readFixture, startFixtureServer } from "../testing/fixture-server.js";
import { json, memos } from "./test-helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "memos-doctor-"));
const home = join(tmp, "home");
const saved = { ...process.env };
let server: FixtureServer;

beforeAll(async () => {
  expect((await memos("init", "--dir", home)).code).toBe(0);
  server = await startFixtureServer();
});
afterEach(() => {
  for (const k of ["MEMOS_LLM", "OPENAI_API_KEY", "OPENAI_BASE_URL", "MEMOS_EMBEDDER"]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});
afterAll(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

interface DoctorReport {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string; error?: { code: string; hint?: string } }[];
}

describe("memos doctor", () => {
  it("passes with the embedded defaults and says the LLM is not configured", async () => {
    delete process.env.MEMOS_LLM;
    const r = await memos("doctor", "--dir", home, "--json");
    expect(r.code).toBe(0);
    const report = json<DoctorReport>(r);
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name === "cube default/default")?.detail).toMatch(
      /glove.*100-d.*sqlite/,
    );
    expect(report.checks.find((c) => c.name === "llm")?.detail).toMatch(/not configured.*MEMOS_LLM/);
  });

  it("exits non-zero naming the provider and the cause when the LLM refuses the key", async () => {
    server.enqueue({ status: 401, body: readFixture("openai/error-401.json") });
    process.env.MEMOS_LLM = "openai:gpt-4o-mini";
    process.env.OPENAI_API_KEY = "sk-wrong";
    process.env.OPENAI_BASE_URL = `${server.url}/v1`;
    const r = await memos("doctor", "--dir", home, "--json");
    expect(r.code).not.toBe(0);
    const llm = json<DoctorReport>(r).checks.find((c) => c.name === "llm");
    expect(llm?.ok).toBe(false);
    expect(llm?.error?.code).toBe("auth");
    expect(llm?.error?.hint).toContain("OPENAI_API_KEY");
    expect(JSON.parse(r.stderr).error).toMatchObject({
      code: "auth",
      message: expect.stringMatching(/^1 check failed; first: llm: /),
    });
    server.enqueue({ status: 401, body: readFixture("openai/error-401.json") });
    const human = await memos("doctor", "--dir", home);
    expect(human.stdout).toMatch(/FAIL llm: /);
    expect(human.stderr).toMatch(/^memos: 1 check failed; first: llm: .*\(hint: .*OPENAI_API_KEY/);
  });

  it("checks a local GGUF model end to end", async () => {
    process.env.MEMOS_LLM = `llama-cpp:${cachedTestGguf().modelFile}`;
    const r = await memos("doctor", "--dir", home, "--json");
    const llm = json<DoctorReport>(r).checks.find((c) => c.name === "llm");
    expect(llm).toMatchObject({ ok: true });
    expect(llm?.detail).toMatch(/^llama-cpp:.* answered/);
    expect(r.code).toBe(0);
  });

  it("fails on a missing home with a hint to run init", async () => {
    const r = await memos("doctor", "--dir", join(tmp, "nowhere"));
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/FAIL home/);
    expect(r.stderr).toContain("memos init");
  });

  it("runs SQLite's integrity check on every database and names a damaged one", async () => {
    delete process.env.MEMOS_LLM;
    const damaged = join(tmp, "damaged");
    expect((await memos("init", "--dir", damaged, "--user", "dee")).code).toBe(0);
    const text = Array.from({ length: 600 }, (_, i) => `Keeper ${i} tends lighthouse ${i * 7}.`).join(" ");
    expect((await memos("add", "--dir", damaged, text)).code).toBe(0);
    const ok = json<DoctorReport>(await memos("doctor", "--dir", damaged, "--json"));
    const dbChecks = ok.checks.filter((c) => c.name.startsWith("database "));
    expect(dbChecks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        "database registry.db",
        "database cubes/dee__default/memory.db",
        "database cubes/dee__default/preference.db",
      ]),
    );
    expect(dbChecks.every((c) => c.ok)).toBe(true);
    // Overwrite pages in the middle of memory.db: it still opens and counts, but is damaged.
    const file = join(damaged, "cubes", "dee__default", "memory.db");
    const bytes = readFileSync(file);
    const middle = Math.floor(bytes.length / 4096 / 2) * 4096;
    bytes.fill(0x41, middle, middle + 3 * 4096);
    writeFileSync(file, bytes);
    const r = await memos("doctor", "--dir", damaged, "--json");
    expect(r.code).not.toBe(0);
    const bad = json<DoctorReport>(r).checks.find((c) => c.name === "database cubes/dee__default/memory.db");
    expect(bad?.ok).toBe(false);
    expect(bad?.detail).toContain(`${file} (cube dee/default) is damaged`);
    expect(bad?.error?.hint).toContain("memos dump");
  });

  it("a damaged registry or preference store is an error naming the file and what to do", async () => {
    const broken = join(tmp, "broken");
    expect((await memos("init", "--dir", broken, "--user", "eve")).code).toBe(0);
    writeFileSync(join(broken, "cubes", "eve__default", "preference.db"), Buffer.alloc(8192, 0x42));
    const pref = await memos("search", "--dir", broken, "anything");
    expect(pref.code).toBe(1);
    expect(pref.stderr).toContain(join(broken, "cubes", "eve__default", "preference.db"));
    expect(pref.stderr).toContain("hint:");
    writeFileSync(join(broken, "registry.db"), Buffer.alloc(8192, 0x42));
    const reg = await memos("list", "--dir", broken);
    expect(reg.code).toBe(1);
    expect(reg.stderr).toContain(`the registry ${join(broken, "registry.db")} is damaged`);
    expect(reg.stderr).not.toContain("unexpected error");
    const doctor = await memos("doctor", "--dir", broken, "--json");
    expect(json<DoctorReport>(doctor).checks.find((c) => c.name === "database registry.db")?.ok).toBe(false);
  });
});
