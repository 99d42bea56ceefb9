import pc from "picocolors";
import type { TextualMemoryItem } from "../core/schema/memory.js";

/** The JSON shape of an item in CLI output: the item without its (large) embedding. */
export function itemJson(item: TextualMemoryItem, extra: Record<string, unknown> = {}) {
  const { embedding: _e, ...metadata } = item.metadata;
  return { ...extra, id: item.id, memory: item.memory, metadata };
}

/** A few readable lines for one memory. */
export function itemLines(item: TextualMemoryItem, prefix = ""): string {
  const m = item.metadata;
  const when = m.valid_at ?? m.created_at ?? "";
  const head = `${prefix}${pc.dim(item.id)} ${pc.cyan(m.memory_type)} ${pc.dim(when)}${m.version > 1 ? pc.dim(` v${m.version}`) : ""}`;
  const body = item.memory
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return `${head}\n${body}\n`;
}
