import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../core/errors/index.js";
import { chunkDocument, readDocument } from "../document.js";
import { htmlToMarkdown } from "./html.js";

const PAGE = `<!doctype html>
<html><head><title>Ignored</title><style>body { color: red }</style></head>
<body>
  <nav><a href="/">Home</a> <a href="/docs">Docs</a></nav>
  <h1>Guide &amp; Notes</h1>
  <p>Intro   text with <b>bold</b>
     and a <a href="#">link</a>.<br>Second line.</p>
  <script>alert("tracking")</script>
  <h2>Install</h2>
  <ul><li>Run <code>npm i</code></li><li>Then<ul><li>nested step</li></ul></li></ul>
  <ol><li>one</li><li>two</li></ol>
  <h2>Prices</h2>
  <table><caption>Drinks</caption><tr><th>Item</th><th>Cost</th></tr><tr><td>Tea</td><td>3 &euro;</td></tr></table>
  <pre><code>const x = 1;
  if (x) run();</code></pre>
  <blockquote><p>Quote one</p><p>Quote two</p></blockquote>
  <div hidden>secret</div><div>Loose <span>div</span> text</div>
  <!-- a comment -->
  <h3>Deep</h3><p>End.</p>
</body></html>`;

describe("htmlToMarkdown", () => {
  it("keeps headings, paragraphs, lists, tables, code and quotes; drops scripts, styles, nav, head, hidden", () => {
    expect(htmlToMarkdown(PAGE)).toBe(
      [
        "# Guide & Notes",
        "Intro text with bold and a link.\nSecond line.",
        "## Install",
        "- Run npm i\n- Then\n  - nested step\n\n1. one\n2. two",
        "## Prices",
        "Drinks\nItem | Cost\nTea | 3 €",
        "```\nconst x = 1;\n  if (x) run();\n```",
        "> Quote one\n>\n> Quote two",
        "Loose div text",
        "### Deep",
        "End.",
      ].join("\n\n"),
    );
    const md = htmlToMarkdown(PAGE);
    for (const gone of ["tracking", "Ignored", "color: red", "Home", "secret", "a comment", "doctype"])
      expect(md).not.toContain(gone);
  });

  it("gives chunks heading paths through the Markdown chunker", () => {
    const chunks = chunkDocument(PAGE, { docPath: "site/guide.html" });
    expect(chunks.map((c) => c.headingPath)).toEqual([
      ["Guide & Notes"],
      ["Guide & Notes", "Install"],
      ["Guide & Notes", "Prices"],
      ["Guide & Notes", "Prices", "Deep"],
    ]);
    expect(chunks[1]?.text).toBe(
      "Guide & Notes > Install\n- Run npm i\n- Then\n  - nested step\n\n1. one\n2. two",
    );
  });

  it("reads HTML given as text with format html, doc_path in the sources", () => {
    const items = readDocument(
      PAGE,
      { docPath: "guide.htm", format: "html" },
      { now: "2024-01-01T00:00:00Z" },
    );
    expect(items[0]?.metadata.key).toBe("Guide & Notes");
    expect(items[0]?.metadata.sources[0]).toMatchObject({ type: "doc", doc_path: "guide.htm" });
    expect(items.map((i) => i.memory).join("\n")).not.toContain("<");
  });

  it("rejects HTML without any text", () => {
    expect(() => readDocument("<script>x()</script><nav>Home</nav>", { format: "html" })).toThrow(
      InvalidInputError,
    );
  });
});
