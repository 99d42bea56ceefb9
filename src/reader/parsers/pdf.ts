/**
 * PDF → text per page, with pdfjs-dist (Mozilla's parser; its legacy build runs on Node 20).
 * pdfjs is imported on first use: it is large and most reads are chats.
 *
 * @module
 */

import { errorMessage } from "../../core/errors/error-message.js";
import { InvalidInputError, MissingDependencyError } from "../../core/errors/index.js";

/** The text of one page; `page` is 1-based. */
export interface PdfPage {
  page: number;
  text: string;
}

type Pdfjs = typeof import("pdfjs-dist/legacy/build/pdf.mjs");
let pdfjs: Promise<Pdfjs> | undefined;

function loadPdfjs(): Promise<Pdfjs> {
  pdfjs ??= import("pdfjs-dist/legacy/build/pdf.mjs").catch((cause: unknown) => {
    pdfjs = undefined;
    throw new MissingDependencyError({
      message: "reading PDFs needs pdfjs-dist, which could not be loaded",
      hint: "npm install pdfjs-dist@4",
      cause,
    });
  });
  return pdfjs;
}

interface TextRun {
  str: string;
  transform: number[];
  width: number;
  height: number;
  hasEOL: boolean;
}
const isRun = (item: unknown): item is TextRun =>
  typeof item === "object" && item !== null && typeof (item as { str?: unknown }).str === "string";

/**
 * Join a page's text runs: a new line where the baseline moves or pdfjs marks an end of line, a
 * blank line (paragraph break) where the vertical gap is well over a line, a space where runs
 * on one line are apart.
 */
function pageText(items: unknown[]): string {
  let out = "";
  let last: { y: number; xEnd: number; size: number } | undefined;
  let eol = false;
  for (const item of items) {
    if (!isRun(item)) continue;
    const x = item.transform[4] ?? 0;
    const y = item.transform[5] ?? 0;
    const size = Math.abs(item.height) || Math.abs(item.transform[3] ?? 0) || 10;
    if (last) {
      const dy = Math.abs(y - last.y);
      if (dy > 0.5 * Math.min(size, last.size) || eol) {
        out = out.replace(/[ \t]+$/, "");
        out += dy > 1.8 * Math.max(size, last.size) ? "\n\n" : "\n";
      } else if (x - last.xEnd > 0.15 * size && !/\s$/.test(out) && !/^\s/.test(item.str)) {
        out += " ";
      }
    }
    out += item.str;
    if (item.str || !last) last = { y, xEnd: x + item.width, size };
    eol = item.hasEOL;
  }
  return out
    .split("\n")
    .map((l) => l.replace(/[ \t]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

const errorName = (e: unknown) =>
  typeof e === "object" && e !== null ? String((e as { name?: unknown }).name) : "";

function pdfError(e: unknown, path: string): InvalidInputError {
  if (errorName(e) === "PasswordException")
    return new InvalidInputError({
      message: `PDF ${path} is encrypted (password-protected), so its text cannot be read`,
      hint: "decrypt it first, e.g. `qpdf --decrypt --password=PASSWORD in.pdf out.pdf`, and add out.pdf",
      cause: e,
    });
  const detail = errorMessage(e);
  return new InvalidInputError({
    message: `${path} is not a readable PDF (${detail})`,
    hint: "check that the file is a complete PDF (re-download or re-export it)",
    cause: e,
  });
}

/**
 * Extract the text of every page of a PDF. Pages without text (scans, images) come back with
 * `text: ""`; the caller decides whether that is an error. An encrypted or corrupt file is an
 * InvalidInputError with a hint; a missing pdfjs-dist a MissingDependencyError.
 *
 * @example
 * const pages = await extractPdfPages(await readFile("paper.pdf"), "paper.pdf");
 * pages[0]; // { page: 1, text: "Attention Is All You Need\n..." }
 */
export async function extractPdfPages(bytes: Uint8Array, path = "PDF"): Promise<PdfPage[]> {
  const lib = await loadPdfjs();
  const task = lib.getDocument({
    // pdfjs detaches the buffer it is given; keep the caller's intact.
    data: new Uint8Array(bytes),
    verbosity: 0,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
  });
  try {
    let doc: Awaited<typeof task.promise>;
    try {
      doc = await task.promise;
    } catch (e) {
      throw pdfError(e, path);
    }
    const pages: PdfPage[] = [];
    for (let p = 1; p <= doc.numPages; p++) {
      try {
        const page = await doc.getPage(p);
        const content = await page.getTextContent();
        pages.push({ page: p, text: pageText(content.items) });
        page.cleanup();
      } catch (e) {
        throw pdfError(e, `${path} (page ${p})`);
      }
    }
    return pages;
  } finally {
    await task.destroy();
  }
}
