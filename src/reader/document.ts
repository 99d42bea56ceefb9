import { InvalidInputError } from "../core/errors/index.js";
import { newId } from "../core/ids.js";
import type { SourceMessage, TextualMemoryItem } from "../core/schema/memory.js";
import { baseMetadata, type ResolvedSizes, resolveNow, resolveSizes } from "./common.js";
import { checkRequestSize } from "./limits.js";
import { htmlToMarkdown } from "./parsers/html.js";
import { firstWords, splitSentences, splitToFit } from "./text.js";
import { countTokens } from "./tokens.js";
import type { DocumentFormat, DocumentReadOptions, FastReaderOptions, ReadContext } from "./types.js";

/** A chunk of a document: its heading path and the rendered text (heading line, then body). */
export interface DocChunk {
  headingPath: string[];
  text: string;
  /** PDFs: the 1-based page the chunk comes from. */
  page?: number;
}

interface Section {
  path: string[];
  paragraphs: string[];
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const LISTISH = /^\s*([-*+>]|\d+[.)])\s/;

/** Markdown → sections keyed by heading path; fenced code and front matter stay whole paragraphs. */
function markdownSections(text: string): Section[] {
  const lines = text.split("\n");
  const sections: Section[] = [];
  const stack: { level: number; title: string }[] = [];
  let cur: Section = { path: [], paragraphs: [] };
  let para: string[] = [];
  const flushPara = () => {
    const p = para.join("\n").trim();
    if (p) cur.paragraphs.push(p);
    para = [];
  };
  const startSection = (level: number, title: string) => {
    flushPara();
    // Sections with no body make no chunk: a heading alone is not a memory.
    if (cur.paragraphs.length) sections.push(cur);
    while (stack.length && (stack[stack.length - 1]?.level ?? 0) >= level) stack.pop();
    stack.push({ level, title });
    cur = { path: stack.map((h) => h.title), paragraphs: [] };
  };

  let i = 0;
  if (lines[0]?.trim() === "---") {
    const close = lines.findIndex((l, j) => j > 0 && (l.trim() === "---" || l.trim() === "..."));
    if (close > 0) {
      para = lines.slice(0, close + 1);
      flushPara();
      i = close + 1;
    }
  }
  let fence: string | null = null;
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    if (fence) {
      para.push(line);
      const t = line.trim();
      if (t.startsWith(fence) && /^(`+|~+)$/.test(t)) {
        fence = null;
        flushPara();
      }
      continue;
    }
    const f = FENCE.exec(line);
    if (f) {
      flushPara();
      fence = f[1] as string;
      para.push(line);
      continue;
    }
    const h = HEADING.exec(line);
    if (h) {
      startSection((h[1] as string).length, (h[2] as string).trim());
      continue;
    }
    // "Title\n=====": only a single-line, non-list paragraph can be a setext heading.
    const s = SETEXT.exec(line);
    if (s && para.length === 1 && !LISTISH.test(para[0] as string)) {
      const title = (para[0] as string).trim();
      para = [];
      startSection((s[1] as string).startsWith("=") ? 1 : 2, title);
      continue;
    }
    if (line.trim() === "") flushPara();
    else para.push(line);
  }
  flushPara();
  if (cur.paragraphs.length) sections.push(cur);
  return sections;
}

function textSections(text: string): Section[] {
  const paragraphs = text
    .split(/\n[ \t]*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  return paragraphs.length ? [{ path: [], paragraphs }] : [];
}

/** Pack one section's paragraphs into chunks within the window, overlapping by trailing sentences. */
function chunkSection(section: Section, sizes: ResolvedSizes): DocChunk[] {
  const { windowTokens, overlapTokens } = sizes;
  const heading = section.path.join(" > ");
  const render = (body: string[]) => (heading ? `${heading}\n${body.join("\n\n")}` : body.join("\n\n"));
  const measure = (piece: string) => countTokens(render([piece]));
  const pieces = section.paragraphs.flatMap((p) =>
    measure(p) <= windowTokens ? [p] : splitToFit(p, windowTokens, measure),
  );

  const chunks: DocChunk[] = [];
  const emit = (body: string[]) => {
    if (body.some((b) => b.trim())) chunks.push({ headingPath: section.path, text: render(body) });
  };
  // Trailing sentences of the chunk just emitted, within the overlap budget, that still leave
  // room for the next piece. Never the whole previous chunk: overlap must only repeat its tail.
  const overlapOf = (body: string[], next: string): string[] => {
    const sentences = splitSentences(body.join("\n\n"))
      .map((s) => s.trim())
      .filter(Boolean);
    const tail: string[] = [];
    let used = 0;
    for (let k = sentences.length - 1; k > 0; k--) {
      const t = countTokens(sentences[k] as string);
      if (used + t > overlapTokens) break;
      tail.unshift(sentences[k] as string);
      used += t;
    }
    while (tail.length && countTokens(render([tail.join(" "), next])) > windowTokens) tail.shift();
    return tail.length ? [tail.join(" ")] : [];
  };

  let cur: string[] = [];
  for (const piece of pieces) {
    if (cur.length && countTokens(render([...cur, piece])) > windowTokens) {
      emit(cur);
      cur = overlapOf(cur, piece);
    }
    cur.push(piece);
  }
  emit(cur);
  return chunks;
}

function pickFormat(opts: DocumentReadOptions): DocumentFormat {
  if (opts.format) return opts.format;
  if (!opts.docPath) return "md"; // Markdown reads plain prose the same way
  if (/\.(md|markdown|mdx)$/i.test(opts.docPath)) return "md";
  if (/\.(html?|xhtml)$/i.test(opts.docPath)) return "html";
  if (/\.pdf$/i.test(opts.docPath)) return "pdf";
  return "txt";
}

function chunkText(text: string, format: "md" | "txt", sizes: ResolvedSizes): DocChunk[] {
  let sections = format === "md" ? markdownSections(text) : textSections(text);
  // Headings only (no body anywhere): keep them as text rather than losing the document.
  if (!sections.length) sections = textSections(text);
  return sections.flatMap((s) => chunkSection(s, sizes));
}

/**
 * Split a document into chunks of at most `windowTokens` (cl100k). Markdown is split by
 * headings, then paragraphs, and each chunk starts with its heading path ("Setup > Install");
 * plain text is split on blank lines. Oversize paragraphs are split on sentences, then words,
 * then tokens. Chunks of the same section overlap by trailing sentences (≤ overlapTokens).
 * HTML is converted to Markdown first (`htmlToMarkdown`); PDF text (pages separated by "\f")
 * is chunked page by page as plain text, each chunk recording its page.
 *
 * @example
 * chunkDocument("# Setup\n\n## Install\n\nRun npm install.", { format: "md" });
 * // [{ headingPath: ["Setup", "Install"], text: "Setup > Install\nRun npm install." }]
 */
export function chunkDocument(
  text: string,
  opts: DocumentReadOptions = {},
  sizes: FastReaderOptions = {},
): DocChunk[] {
  const resolved = resolveSizes(sizes);
  checkRequestSize([text], opts.docPath ? `document ${opts.docPath}` : "the document");
  const normalised = text.replace(/\r\n?/g, "\n");
  const format = pickFormat(opts);
  if (format === "pdf")
    return normalised
      .split("\f")
      .flatMap((pageText, i) => chunkText(pageText, "txt", resolved).map((c) => ({ ...c, page: i + 1 })));
  return chunkText(
    format === "html" ? htmlToMarkdown(normalised) : normalised,
    format === "html" ? "md" : format,
    resolved,
  );
}

/**
 * `chunkDocument`, refusing a document with no text: an empty file, HTML that is only scripts
 * and navigation, a PDF without a text layer (InvalidInputError with a hint for each).
 *
 * @example
 * documentChunks(readme, { docPath: "README.md" }, { windowTokens: 512 });
 */
export function documentChunks(
  text: string,
  opts: DocumentReadOptions = {},
  sizes: FastReaderOptions = {},
): DocChunk[] {
  const name = opts.docPath ? `document ${opts.docPath}` : "document";
  const empty = () =>
    new InvalidInputError({
      message: `${name} is empty`,
      hint:
        pickFormat(opts) === "pdf"
          ? "the PDF has no text layer (scanned?): run OCR first, e.g. `ocrmypdf in.pdf out.pdf`"
          : "give a file with some text in it",
    });
  if (!text.replace(/\f/g, "").trim()) throw empty();
  const chunks = chunkDocument(text, opts, sizes);
  if (!chunks.length) throw empty();
  return chunks;
}

/** A chunk's text without its heading-path line. */
export function chunkBody(chunk: DocChunk): string {
  return chunk.headingPath.length ? chunk.text.slice(chunk.text.indexOf("\n") + 1) : chunk.text;
}

/** Provenance of a chunk: `{type: "doc", doc_path?, page?, content}`. */
export function chunkSource(chunk: DocChunk, docPath: string | undefined): SourceMessage {
  return {
    type: "doc",
    ...(docPath ? { doc_path: docPath } : {}),
    ...(chunk.page !== undefined ? { page: chunk.page } : {}),
    content: chunk.text,
  };
}

/**
 * Split one chunk again at other (smaller) sizes, keeping its heading path and page; used when
 * a large chunk read for an LLM falls back to fast items.
 */
export function splitChunk(chunk: DocChunk, sizes: FastReaderOptions = {}): DocChunk[] {
  const paragraphs = chunkBody(chunk)
    .split(/\n[ \t]*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  return chunkSection({ path: chunk.headingPath, paragraphs }, resolveSizes(sizes)).map((c) =>
    chunk.page !== undefined ? { ...c, page: chunk.page } : c,
  );
}

/** Fast (chunk-as-is) items for chunks: key = heading path or first words, tags mode:fast + doc. */
export function chunkItems(
  chunks: DocChunk[],
  docPath: string | undefined,
  ctx: ReadContext,
  now: string,
): TextualMemoryItem[] {
  return chunks.map((chunk) => ({
    id: newId(),
    memory: chunk.text,
    metadata: {
      ...baseMetadata(ctx, now),
      type: "doc",
      memory_type: "LongTermMemory",
      key: chunk.headingPath.length ? chunk.headingPath.join(" > ") : firstWords(chunkBody(chunk), 8),
      tags: ["mode:fast", "doc"],
      source: "file",
      sources: [chunkSource(chunk, docPath)],
    },
  }));
}

/**
 * Document → LongTermMemory items, one per chunk (see `chunkDocument`). Each item's key is the
 * chunk's heading path (else its first words), its source `{type: "doc", doc_path, page?, content}`
 * (`page` for PDFs). An empty document (or HTML with no text) is an InvalidInputError.
 *
 * @example
 * readDocument(readme, { docPath: "README.md" }, { userId: "u1", cubeId: "c1" });
 */
export function readDocument(
  text: string,
  opts: DocumentReadOptions = {},
  ctx: ReadContext = {},
  sizes: FastReaderOptions = {},
): TextualMemoryItem[] {
  const chunks = documentChunks(text, opts, sizes);
  return chunkItems(chunks, opts.docPath, ctx, resolveNow(ctx));
}
