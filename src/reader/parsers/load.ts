/**
 * Document files → text the readers chunk: picks the parser by extension and validates before
 * anything is written (bad bytes, unknown type, encrypted PDF: InvalidInputError with a hint).
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { errorMessage } from "../../core/errors/error-message.js";
import { InvalidInputError, NotFoundError } from "../../core/errors/index.js";
import { decodeUtf8Strict } from "../chat-schema.js";
import type { DocumentFormat } from "../types.js";
import { extractPdfPages } from "./pdf.js";

/** Page separator in text extracted from a PDF (form feed, as pdftotext writes it). */
export const PAGE_BREAK = "\f";

/** A document ready for `readDocument(text, { docPath: path, format })`. */
export interface LoadedDocument {
  path: string;
  format: DocumentFormat;
  /**
   * The file's text: as written for txt/md/html (HTML is converted when read), the extracted
   * text for a PDF with pages separated by PAGE_BREAK ("\f"), page 1 first.
   */
  text: string;
  /** PDFs only: how many pages the file has (pages without text included). */
  pageCount?: number;
}

const EXTENSIONS: Record<string, DocumentFormat> = {
  ".txt": "txt",
  ".text": "txt",
  "": "txt",
  ".md": "md",
  ".markdown": "md",
  ".mdx": "md",
  ".html": "html",
  ".htm": "html",
  ".xhtml": "html",
  ".pdf": "pdf",
};

/**
 * The document format a path's extension names; an unsupported one is an InvalidInputError.
 *
 * @example
 * documentFormatOf("notes/guide.HTM"); // "html"
 */
export function documentFormatOf(path: string): DocumentFormat {
  const ext = extname(path).toLowerCase();
  const format = EXTENSIONS[ext];
  if (format) return format;
  throw new InvalidInputError({
    message: `cannot read ${ext} files as documents: ${path}`,
    hint:
      ext === ".json"
        ? "a chat .json file is read with parseChatSessions / readChat, not as a document"
        : "use a .txt, .md, .html or .pdf file",
  });
}

/**
 * Bytes of a document → its text. Text formats must be UTF-8 (a BOM is dropped); a PDF must
 * have a text layer.
 *
 * @example
 * const doc = await loadDocumentBytes(uploadedBytes, "report.pdf");
 */
export async function loadDocumentBytes(
  bytes: Uint8Array,
  path: string,
  format: DocumentFormat = documentFormatOf(path),
): Promise<LoadedDocument> {
  if (format !== "pdf") {
    return { path, format, text: decodeUtf8Strict(bytes, path) };
  }
  const pages = await extractPdfPages(bytes, path);
  if (!pages.some((p) => p.text.trim()))
    throw new InvalidInputError({
      message: `PDF ${path} has no text to read (${pages.length} page${pages.length === 1 ? "" : "s"}, no text layer)`,
      hint: "it is probably scanned: run OCR first (e.g. `ocrmypdf in.pdf out.pdf`) and add the result",
    });
  // Page texts cannot contain the separator themselves.
  const text = pages.map((p) => p.text.replaceAll(PAGE_BREAK, "\n")).join(PAGE_BREAK);
  return { path, format, text, pageCount: pages.length };
}

/**
 * Read a document file (.txt, .md/.markdown, .html/.htm, .pdf; no extension = text) for
 * `readDocument`. A missing file is a NotFoundError; not UTF-8, an unknown extension, an
 * encrypted, corrupt or image-only PDF an InvalidInputError with a hint.
 *
 * @example
 * const doc = await loadDocumentFile("docs/guide.pdf");
 * const items = new FastMemReader().readDocument(doc.text, { docPath: doc.path, format: doc.format }, ctx);
 */
export async function loadDocumentFile(path: string): Promise<LoadedDocument> {
  const format = documentFormatOf(path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT" || code === "ENOTDIR")
      throw new NotFoundError({ message: `file not found: ${path}`, hint: "check the path", cause: e });
    throw new InvalidInputError({
      message: `cannot read ${path}: ${errorMessage(e)}`,
      hint: "check that it is a readable file",
      cause: e,
    });
  }
  return loadDocumentBytes(bytes, path, format);
}
