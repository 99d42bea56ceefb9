import { InvalidInputError } from "../core/errors/index.js";
import { newId } from "../core/ids.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";
import { baseMetadata, type ResolvedSizes, resolveNow, resolveSizes } from "./common.js";
import { firstWords, splitSentences, splitToFit } from "./text.js";
import { countTokens } from "./tokens.js";
import type { DocumentReadOptions, FastReaderOptions, ReadContext } from "./types.js";

/** A chunk of a document: its heading path and the rendered text (heading line, then body). */
export interface DocChunk {
  headingPath: string[];
  text: string;
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

function pickFormat(opts: DocumentReadOptions): "md" | "txt" {
  if (opts.format) return opts.format;
  if (!opts.docPath) return "md"; // Markdown reads plain prose the same way
  return /\.(md|markdown|mdx)$/i.test(opts.docPath) ? "md" : "txt";
}

/**
 * Split a document into chunks of at most `windowTokens` (cl100k). Markdown is split by
 * headings, then paragraphs, and each chunk starts with its heading path ("Setup > Install");
 * plain text is split on blank lines. Oversize paragraphs are split on sentences, then words,
 * then tokens. Chunks of the same section overlap by trailing sentences (≤ overlapTokens).
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
  const normalised = text.replace(/\r\n?/g, "\n");
  let sections = pickFormat(opts) === "md" ? markdownSections(normalised) : textSections(normalised);
  // Headings only (no body anywhere): keep them as text rather than losing the document.
  if (!sections.length) sections = textSections(normalised);
  return sections.flatMap((s) => chunkSection(s, resolved));
}

/**
 * Document → LongTermMemory items, one per chunk (see `chunkDocument`). Each item's key is the
 * chunk's heading path (else its first words), its source `{type: "doc", doc_path, content}`.
 * An empty document is an InvalidInputError.
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
  const name = opts.docPath ? `document ${opts.docPath}` : "document";
  if (!text.trim())
    throw new InvalidInputError({ message: `${name} is empty`, hint: "give a file with some text in it" });
  const now = resolveNow(ctx);
  return chunkDocument(text, opts, sizes).map((chunk) => {
    const body = chunk.headingPath.length ? chunk.text.slice(chunk.text.indexOf("\n") + 1) : chunk.text;
    return {
      id: newId(),
      memory: chunk.text,
      metadata: {
        ...baseMetadata(ctx, now),
        type: "doc",
        memory_type: "LongTermMemory",
        key: chunk.headingPath.length ? chunk.headingPath.join(" > ") : firstWords(body, 8),
        tags: ["mode:fast", "doc"],
        source: "file",
        sources: [{ type: "doc", ...(opts.docPath ? { doc_path: opts.docPath } : {}), content: chunk.text }],
      },
    };
  });
}
