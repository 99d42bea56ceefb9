import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../core/errors/index.js";
import { FastMemReader } from "../fast-reader.js";
import { loadDocumentBytes, loadDocumentFile } from "./load.js";
import { extractPdfPages } from "./pdf.js";

const pdfString = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`);

/**
 * A minimal PDF 1.4, written by hand: catalog, page tree, Helvetica, then per page a page object
 * and a content stream drawing its lines top-down; the xref table has exact byte offsets.
 */
function makePdf(pages: string[][], extraTrailer = "", extraObjects: string[] = []): Uint8Array {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    `<< /Type /Pages /Kids [${pages.map((_, i) => `${4 + 2 * i} 0 R`).join(" ")}] /Count ${pages.length} >>`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  pages.forEach((lines, i) => {
    const body = lines.map((l, k) => `BT /F1 12 Tf 72 ${720 - 16 * k} Td (${pdfString(l)}) Tj ET`).join("\n");
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + 2 * i} 0 R >>`,
      `<< /Length ${body.length} >>\nstream\n${body}\nendstream`,
    );
  });
  objects.push(...extraObjects);
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${extraTrailer}>>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}

/** Standard security handler with a user password we do not know: pdfjs asks for it. */
function encryptedPdf(): Uint8Array {
  const pages = [["Secret text"]];
  const encryptObj = `<< /Filter /Standard /V 1 /R 2 /O <${"11".repeat(32)}> /U <${"22".repeat(32)}> /P -4 >>`;
  const id = "ab".repeat(16);
  return makePdf(pages, `/Encrypt 6 0 R /ID [<${id}> <${id}>] `, [encryptObj]);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "memos-pdf-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("extractPdfPages", () => {
  it("reads a hand-written one-page PDF", async () => {
    expect(await extractPdfPages(makePdf([["Hello PDF world"]]), "hello.pdf")).toEqual([
      { page: 1, text: "Hello PDF world" },
    ]);
  });

  it("keeps lines and pages apart, and leaves the caller's bytes intact", async () => {
    const bytes = makePdf([["First line (one)", "Second line"], ["Page two says hi"]]);
    const copy = bytes.slice();
    expect(await extractPdfPages(bytes)).toEqual([
      { page: 1, text: "First line (one)\nSecond line" },
      { page: 2, text: "Page two says hi" },
    ]);
    expect(bytes).toEqual(copy);
  });

  it("turns corrupt and encrypted files into InvalidInputError with a hint", async () => {
    const corrupt = new TextEncoder().encode("%PDF-1.4\nthis is not really a pdf");
    await expect(extractPdfPages(corrupt, "bad.pdf")).rejects.toSatisfy(
      (e) => InvalidInputError.isInstance(e) && /bad\.pdf is not a readable PDF/.test(e.message) && !!e.hint,
    );
    const truncated = makePdf([["Hello PDF world"]]).slice(0, 40);
    await expect(extractPdfPages(truncated, "cut.pdf")).rejects.toBeInstanceOf(InvalidInputError);
    await expect(extractPdfPages(encryptedPdf(), "locked.pdf")).rejects.toSatisfy(
      (e) =>
        InvalidInputError.isInstance(e) && /encrypted/.test(e.message) && /qpdf --decrypt/.test(e.hint ?? ""),
    );
  });
});

describe("PDF documents", () => {
  it("loads a PDF file as page-separated text and reads chunks with doc_path and page", async () => {
    const path = join(dir, "report.pdf");
    await writeFile(path, makePdf([["Hello PDF world"], ["The budget is 4 million euros."]]));
    const doc = await loadDocumentFile(path);
    expect(doc).toEqual({
      path,
      format: "pdf",
      text: "Hello PDF world\fThe budget is 4 million euros.",
      pageCount: 2,
    });

    const items = await new FastMemReader().readDocumentFile(path, {
      cubeId: "c1",
      now: "2024-01-01T00:00:00Z",
    });
    expect(items.map((i) => [i.memory, i.metadata.sources[0]])).toEqual([
      ["Hello PDF world", { type: "doc", doc_path: path, page: 1, content: "Hello PDF world" }],
      [
        "The budget is 4 million euros.",
        { type: "doc", doc_path: path, page: 2, content: "The budget is 4 million euros." },
      ],
    ]);
    expect(items[0]?.metadata).toMatchObject({ source: "file", tags: ["mode:fast", "doc"], cube_id: "c1" });
  });

  it("rejects a PDF without text, a corrupt one and an encrypted one before anything is read", async () => {
    await expect(loadDocumentBytes(makePdf([[]]), "scan.pdf")).rejects.toSatisfy(
      (e) => InvalidInputError.isInstance(e) && /no text/.test(e.message) && /OCR/.test(e.hint ?? ""),
    );
    const bad = join(dir, "bad.pdf");
    await writeFile(bad, "%PDF-1.4\ngarbage");
    await expect(new FastMemReader().readDocumentFile(bad)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(loadDocumentBytes(encryptedPdf(), "locked.pdf")).rejects.toBeInstanceOf(InvalidInputError);
  });
});
