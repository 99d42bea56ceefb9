import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError, NotFoundError } from "../../core/errors/index.js";
import { FastMemReader } from "../fast-reader.js";
import { documentFormatOf, loadDocumentFile } from "./load.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "memos-load-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("loadDocumentFile", () => {
  it("picks the format by extension", () => {
    expect(
      ["a.txt", "a.md", "a.MARKDOWN", "a.html", "a.HTM", "a.pdf", "LICENSE"].map(documentFormatOf),
    ).toEqual(["txt", "md", "md", "html", "html", "pdf", "txt"]);
    const hintOf = (path: string) => {
      try {
        documentFormatOf(path);
      } catch (e) {
        if (InvalidInputError.isInstance(e)) return `${e.message} | ${e.hint}`;
      }
      return "did not throw InvalidInputError";
    };
    expect(hintOf("a.docx")).toMatch(/cannot read \.docx .*\| use a \.txt, \.md, \.html or \.pdf/);
    expect(hintOf("chat.json")).toMatch(/parseChatSessions/);
  });

  it("reads text formats as written (BOM dropped) and HTML through the Markdown chunker", async () => {
    const md = join(dir, "notes.md");
    await writeFile(md, "\uFEFF# Setup\n\nRun npm install.\n");
    expect(await loadDocumentFile(md)).toEqual({
      path: md,
      format: "md",
      text: "# Setup\n\nRun npm install.\n",
    });

    const html = join(dir, "page.html");
    await writeFile(html, "<h1>Setup</h1><script>x()</script><h2>Install</h2><p>Run npm install.</p>");
    const doc = await loadDocumentFile(html);
    expect(doc.format).toBe("html");
    const items = await new FastMemReader().readDocumentFile(html, { now: "2024-01-01T00:00:00Z" });
    expect(items.map((i) => i.memory)).toEqual(["Setup > Install\nRun npm install."]);
    expect(items[0]?.metadata.sources).toEqual([
      { type: "doc", doc_path: html, content: "Setup > Install\nRun npm install." },
    ]);
  });

  it("rejects non-UTF-8 text, a missing file and an empty document", async () => {
    const latin1 = join(dir, "latin1.txt");
    await writeFile(latin1, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "café" in Latin-1
    await expect(loadDocumentFile(latin1)).rejects.toSatisfy(
      (e) => InvalidInputError.isInstance(e) && /not valid UTF-8/.test(e.message),
    );
    await expect(loadDocumentFile(join(dir, "missing.md"))).rejects.toBeInstanceOf(NotFoundError);
    const empty = join(dir, "empty.txt");
    await writeFile(empty, "  \n");
    await expect(new FastMemReader().readDocumentFile(empty)).rejects.toBeInstanceOf(InvalidInputError);
  });
});
