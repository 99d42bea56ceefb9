import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../core/errors/index.js";
import { TextualMemoryItem } from "../core/schema/memory.js";
import { chunkDocument, readDocument } from "./document.js";
import { FastMemReader } from "./fast-reader.js";
import { countTokens } from "./tokens.js";
import { DEFAULT_WINDOW_TOKENS } from "./types.js";

const para = (topic: string, n: number) =>
  Array.from({ length: n }, (_, i) => `The ${topic} step ${i + 1} needs care and a clear head.`).join(" ");

const MD = [
  "---",
  "title: Guide",
  "---",
  "",
  "Intro before any heading.",
  "",
  "# Setup",
  "",
  "Setup overview.",
  "",
  "## Install",
  "",
  para("install", 30),
  "",
  "```sh",
  "# not a heading",
  "npm install",
  "",
  "npm test",
  "```",
  "",
  "### Windows ###",
  "",
  "Use WSL.",
  "",
  "## Configure",
  "",
  "Edit config.json.",
  "",
  "# Empty section",
  "",
  "Usage",
  "=====",
  "",
  "Run it.",
].join("\n");

describe("chunkDocument (markdown)", () => {
  const chunks = chunkDocument(MD, { format: "md" }, { windowTokens: 64, overlapTokens: 16 });

  it("keeps heading paths as the first line, and never makes an empty chunk", () => {
    const paths = [...new Set(chunks.map((c) => c.headingPath.join(" > ")))];
    expect(paths).toEqual([
      "",
      "Setup",
      "Setup > Install",
      "Setup > Install > Windows",
      "Setup > Configure",
      "Usage",
    ]);
    for (const c of chunks) {
      if (c.headingPath.length) expect(c.text.split("\n")[0]).toBe(c.headingPath.join(" > "));
      const body = c.headingPath.length ? c.text.split("\n").slice(1).join("\n") : c.text;
      expect(body.trim()).not.toBe("");
      expect(countTokens(c.text)).toBeLessThanOrEqual(64);
    }
    expect(chunks[0]?.text).toContain("title: Guide");
    expect(chunks.find((c) => c.text.includes("Use WSL."))?.headingPath).toEqual([
      "Setup",
      "Install",
      "Windows",
    ]);
  });

  it("keeps fenced code whole and does not read '#' inside it as a heading", () => {
    const code = chunks.find((c) => c.text.includes("# not a heading"));
    expect(code?.headingPath).toEqual(["Setup", "Install"]);
    expect(code?.text).toContain("```sh\n# not a heading\nnpm install\n\nnpm test\n```");
  });

  it("splits an oversize paragraph and overlaps only by trailing sentences of the same section", () => {
    const install = chunks.filter(
      (c) => c.headingPath.join(">") === "Setup>Install" && c.text.includes("install step"),
    );
    expect(install.length).toBeGreaterThan(2);
    const all = install.map((c) => c.text).join(" ");
    for (let i = 1; i <= 30; i++) expect(all).toContain(`The install step ${i} needs`);
    for (let k = 1; k < install.length; k++) {
      const prev = (install[k - 1]?.text ?? "").split("\n").slice(1).join(" ");
      const next = (install[k]?.text ?? "").split("\n").slice(1).join(" ");
      // The next chunk may start with a tail of the previous one (≤ 16 tokens), never all of it.
      let shared = "";
      for (let n = Math.min(prev.length, next.length); n > 0; n--) {
        if (prev.endsWith(next.slice(0, n))) {
          shared = next.slice(0, n);
          break;
        }
      }
      expect(shared.length).toBeLessThan(prev.length);
      expect(countTokens(shared.trim())).toBeLessThanOrEqual(16);
    }
    // The section after the install steps does not start with install sentences.
    const configure = chunks.find((c) => c.headingPath.join(">") === "Setup>Configure");
    expect(configure?.text).toBe("Setup > Configure\nEdit config.json.");
  });
});

describe("readDocument", () => {
  it("makes LongTermMemory doc items that pass the schema", () => {
    const items = new FastMemReader().readDocument(
      MD,
      { docPath: "docs/guide.md" },
      { userId: "u", cubeId: "c", now: "2024-01-01T00:00:00Z" },
    );
    expect(items.length).toBeGreaterThan(3);
    for (const item of items) {
      expect(() => TextualMemoryItem.parse(item)).not.toThrow();
      expect(item.metadata).toMatchObject({
        memory_type: "LongTermMemory",
        type: "doc",
        source: "file",
        tags: ["mode:fast", "doc"],
        user_id: "u",
        cube_id: "c",
        created_at: "2024-01-01T00:00:00.000Z",
      });
      expect(item.metadata.sources).toEqual([
        { type: "doc", doc_path: "docs/guide.md", content: item.memory },
      ]);
      expect(countTokens(item.memory)).toBeLessThanOrEqual(DEFAULT_WINDOW_TOKENS);
    }
    expect(items.find((i) => i.memory.includes("Use WSL."))?.metadata.key).toBe("Setup > Install > Windows");
    expect(items[0]?.metadata.key).toBe("title: Guide Intro before any heading");
  });

  it("splits plain text on blank lines, ignoring markdown syntax", () => {
    const text = "# not a heading here\nline two\n\n\nSecond paragraph.\r\n\r\nThird.";
    const chunks = chunkDocument(text, { docPath: "notes.txt" }, { windowTokens: 32, overlapTokens: 0 });
    expect(chunks.map((c) => c.text)).toEqual([
      "# not a heading here\nline two\n\nSecond paragraph.\n\nThird.",
    ]);
    expect(chunks[0]?.headingPath).toEqual([]);
    const items = readDocument(text, { format: "txt" }, {});
    expect(items[0]?.metadata.key).toBe("not a heading here line two Second paragraph");
    expect(items[0]?.metadata.sources).toEqual([{ type: "doc", content: items[0]?.memory }]);
  });

  it("keeps a headings-only document rather than dropping it", () => {
    expect(chunkDocument("# Title\n\n## Sub", { format: "md" }).map((c) => c.text)).toEqual([
      "# Title\n\n## Sub",
    ]);
  });

  it("rejects an empty document", () => {
    expect(() => readDocument("  \n\n ", { docPath: "empty.md" })).toThrow(InvalidInputError);
    expect(() => readDocument("", {})).toThrow(/document is empty/);
  });

  it("chunks PDF text page by page, each chunk with its page; picks formats by extension", () => {
    const text = `Cover page\f\fPage three, paragraph one.\n\nParagraph two.`;
    const items = readDocument(text, { docPath: "r.pdf" }, {});
    expect(items.map((i) => i.metadata.sources[0])).toEqual([
      { type: "doc", doc_path: "r.pdf", page: 1, content: "Cover page" },
      { type: "doc", doc_path: "r.pdf", page: 3, content: "Page three, paragraph one.\n\nParagraph two." },
    ]);
    expect(chunkDocument("<h1>T</h1><p>Body</p>", { docPath: "x.HTML" })).toEqual([
      { headingPath: ["T"], text: "T\nBody" },
    ]);
    expect(() => readDocument("\f\f ", { docPath: "scan.pdf" })).toThrow(InvalidInputError);
  });
});
