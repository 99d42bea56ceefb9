/**
 * HTML → Markdown-like text for the document chunker: headings become `#` lines (so chunks keep
 * heading paths), paragraphs are separated by blank lines, list items become `- ` / `1. ` lines,
 * table rows become `cell | cell` lines, `<pre>` becomes a fenced block. Scripts, styles,
 * navigation, forms' controls and hidden elements are dropped: they are not content.
 *
 * @module
 */
import { createRequire } from "node:module";
import type { HTMLElement, Node, Options } from "node-html-parser";

// The parser costs ~25 ms to load; most reads never see HTML, so load it on first use.
type Parse = (html: string, options?: Partial<Options>) => HTMLElement;
let parser: Parse | undefined;
function getParser(): Parse {
  parser ??= (createRequire(import.meta.url)("node-html-parser") as { parse: Parse }).parse;
  return parser;
}

/** DOM node types (node-html-parser's NodeType enum values). */
const NodeType = { ELEMENT_NODE: 1, TEXT_NODE: 3 } as const;

/** Elements whose whole subtree is not document content. */
const DROP = new Set([
  "script",
  "style",
  "noscript",
  "template",
  "nav",
  "head",
  "svg",
  "canvas",
  "iframe",
  "object",
  "embed",
  "button",
  "select",
  "textarea",
  "input",
]);
/** Elements that start and end a paragraph (the rest are inline). */
const BLOCK = new Set([
  "address",
  "article",
  "aside",
  "body",
  "dd",
  "details",
  "dialog",
  "div",
  "dl",
  "dt",
  "fieldset",
  "figcaption",
  "figure",
  "footer",
  "form",
  "header",
  "hgroup",
  "html",
  "li",
  "main",
  "p",
  "section",
  "summary",
  "caption",
]);
const HEADING = /^h([1-6])$/;

const tagOf = (n: Node) =>
  n.nodeType === NodeType.ELEMENT_NODE ? ((n as HTMLElement).rawTagName?.toLowerCase() ?? "") : "";
const isHidden = (el: HTMLElement) => el.hasAttribute("hidden") || el.getAttribute("aria-hidden") === "true";
const collapse = (s: string) => s.replace(/\s+/g, " ");

/** Text of an element's inline content on one line (entities decoded, whitespace collapsed). */
function inlineText(el: Node, skip: (tag: string) => boolean = () => false): string {
  let out = "";
  const walk = (n: Node) => {
    if (n.nodeType === NodeType.TEXT_NODE) {
      out += n.text;
      return;
    }
    if (n.nodeType !== NodeType.ELEMENT_NODE) return;
    const tag = tagOf(n);
    if (DROP.has(tag) || isHidden(n as HTMLElement) || skip(tag)) return;
    if (tag === "br") out += " ";
    for (const c of n.childNodes) walk(c);
    if (BLOCK.has(tag) || HEADING.test(tag) || tag === "td" || tag === "th") out += " ";
  };
  walk(el);
  return collapse(out).trim();
}

class Renderer {
  readonly blocks: string[] = [];
  private inline = "";

  flush(): void {
    const lines = this.inline
      .split("\n")
      .map((l) => collapse(l).trim())
      .filter(Boolean);
    if (lines.length) this.blocks.push(lines.join("\n"));
    this.inline = "";
  }

  node(n: Node): void {
    if (n.nodeType === NodeType.TEXT_NODE) {
      this.inline += collapse(n.text);
      return;
    }
    if (n.nodeType !== NodeType.ELEMENT_NODE) return; // comments
    const el = n as HTMLElement;
    const tag = tagOf(el);
    if (DROP.has(tag) || isHidden(el)) return;
    const h = HEADING.exec(tag);
    if (h) {
      this.flush();
      // A heading's own leading #s would read as a deeper level.
      const title = inlineText(el).replace(/^#+\s*/, "");
      if (title) this.blocks.push(`${"#".repeat(Number(h[1]))} ${title}`);
      return;
    }
    switch (tag) {
      case "br":
        this.inline += "\n";
        return;
      case "hr":
        this.flush();
        return;
      case "ul":
      case "ol":
        this.flush();
        this.pushBlock(listLines(el, 0).join("\n"));
        return;
      case "table":
        this.flush();
        this.pushBlock(tableLines(el).join("\n"));
        return;
      case "pre": {
        this.flush();
        const code = el.text.replace(/^\n/, "").replace(/\s+$/, "");
        if (code.trim()) this.blocks.push(`\`\`\`\n${code}\n\`\`\``);
        return;
      }
      case "blockquote": {
        this.flush();
        const inner = new Renderer();
        for (const c of el.childNodes) inner.node(c);
        inner.flush();
        const quoted = inner.blocks.map((b) =>
          b
            .split("\n")
            .map((l) => `> ${l}`)
            .join("\n"),
        );
        this.pushBlock(quoted.join("\n>\n"));
        return;
      }
    }
    const block = BLOCK.has(tag) || tag === "td" || tag === "th";
    if (block) this.flush();
    for (const c of el.childNodes) this.node(c);
    if (block) this.flush();
  }

  private pushBlock(text: string): void {
    if (text.trim()) this.blocks.push(text);
  }
}

/** `- item` lines (`1. item` in ordered lists), nested lists indented two spaces per level. */
function listLines(list: HTMLElement, depth: number): string[] {
  const ordered = tagOf(list) === "ol";
  const out: string[] = [];
  let k = 0;
  for (const li of list.childNodes) {
    const tag = tagOf(li);
    if (tag === "ul" || tag === "ol") {
      out.push(...listLines(li as HTMLElement, depth + 1));
      continue;
    }
    if (tag !== "li" || isHidden(li as HTMLElement)) continue;
    k++;
    const text = inlineText(li, (t) => t === "ul" || t === "ol");
    const indent = "  ".repeat(depth);
    if (text) out.push(`${indent}${ordered ? `${k}.` : "-"} ${text}`);
    for (const c of li.childNodes) {
      const ct = tagOf(c);
      if (ct === "ul" || ct === "ol") out.push(...listLines(c as HTMLElement, depth + 1));
    }
  }
  return out;
}

/** One line per row, cells joined by " | "; a caption first. Nested tables are flattened into their cell. */
function tableLines(table: HTMLElement): string[] {
  const out: string[] = [];
  const caption = table.querySelector("caption");
  if (caption) {
    const c = inlineText(caption);
    if (c) out.push(c);
  }
  for (const row of table.querySelectorAll("tr")) {
    // Skip rows of nested tables here; they are part of their cell's text.
    if (row.closest("table") !== table) continue;
    const cells = row.childNodes
      .filter((c) => tagOf(c) === "td" || tagOf(c) === "th")
      .map((c) => inlineText(c).replace(/\|/g, "/"));
    if (cells.some(Boolean)) out.push(cells.join(" | "));
  }
  return out;
}

/**
 * Convert an HTML page to Markdown-like text that `chunkDocument(..., { format: "md" })` splits
 * by heading. Entities are decoded; scripts, styles, `<nav>`, `<head>`, form controls and
 * `hidden` elements are dropped.
 *
 * @example
 * htmlToMarkdown("<h1>Guide</h1><script>x()</script><h2>Install</h2><p>Run <b>npm i</b>.</p>");
 * // "# Guide\n\n## Install\n\nRun npm i."
 */
export function htmlToMarkdown(html: string): string {
  // The parser keeps declarations as text; they are not content.
  const body = html.replace(/<!doctype[^>]*>|<\?xml[^>]*\?>/gi, "");
  const root = getParser()(body, {
    comment: false,
    lowerCaseTagName: true,
    // Raw-text elements; <pre> is parsed so its inner tags (<code>, <span>) do not leak as text.
    blockTextElements: { script: true, noscript: true, style: true },
  });
  const r = new Renderer();
  for (const c of root.childNodes) r.node(c);
  r.flush();
  return r.blocks.join("\n\n");
}
