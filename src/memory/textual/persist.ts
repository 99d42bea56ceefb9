import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { NotFoundError } from "../../core/errors/not-found-error.js";
import { GeneralMemoryPoint, KNOWN_MEMORY_TYPES, TextualMemoryExport } from "../../core/schema/memory.js";

export const TEXTUAL_MEMORY_FILE = "textual_memory.json";

/** Write a file so that readers see the old or the new content, never half of it. */
export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export function writeTextualMemory(
  dir: string,
  data: TextualMemoryExport,
  filename = TEXTUAL_MEMORY_FILE,
): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, filename);
  writeFileAtomic(
    path,
    JSON.stringify({ ...data, total_nodes: data.nodes.length, total_edges: data.edges.length }, null, 2),
  );
  return path;
}

/**
 * Read a `textual_memory.json`: MemOS's tree export `{nodes, edges, ...}`, or its general
 * memory's list of points `[{id, vector, payload: {id, memory, metadata}}]`, or a plain list of items.
 */
export function readTextualMemory(dir: string, filename = TEXTUAL_MEMORY_FILE): TextualMemoryExport {
  const { path, raw } = readDumpJson(dir, filename);
  if (Array.isArray(raw)) {
    const nodes = raw.map((entry, i) => {
      const point = GeneralMemoryPoint.safeParse(entry);
      if (point.success) {
        const { payload, vector } = point.data;
        return {
          ...payload,
          metadata: { ...payload.metadata, embedding: payload.metadata.embedding ?? vector ?? null },
        };
      }
      return parseNode(entry, `${path}[${i}]`);
    });
    return checkNodes({ nodes, edges: [] }, path);
  }
  const parsed = TextualMemoryExport.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInputError({
      message: `${path}: ${issue?.path.join(".") ?? ""} ${issue?.message ?? "invalid"}`.trim(),
      hint: "expected MemOS's {nodes, edges, total_nodes, total_edges}",
    });
  }
  return checkNodes(parsed.data, path);
}

const DATE_FIELDS = ["created_at", "updated_at", "valid_at", "invalid_at"] as const;

/**
 * What the schema leaves open but a store must not take in: repeated ids (the second silently
 * replaced the first, and the count said otherwise), dates that are not dates, and memory types
 * nobody searches for. Checked before anything is written; the first problem is named.
 */
function checkNodes(data: TextualMemoryExport, path: string): TextualMemoryExport {
  const seen = new Map<string, number>();
  const bad = (i: number, what: string, hint: string) =>
    new InvalidInputError({ message: `${path}: nodes[${i}] ${what}`, hint });
  data.nodes.forEach((node, i) => {
    const first = seen.get(node.id);
    if (first !== undefined)
      throw bad(i, `repeats the id "${node.id}" of nodes[${first}]`, "every memory needs its own id");
    seen.set(node.id, i);
    const type = node.metadata.memory_type;
    if (!(KNOWN_MEMORY_TYPES as readonly string[]).includes(type))
      throw bad(i, `has memory_type "${type}"`, `memory types: ${KNOWN_MEMORY_TYPES.join(", ")}`);
    for (const field of DATE_FIELDS) {
      const value = node.metadata[field];
      if (typeof value === "string" && Number.isNaN(Date.parse(value)))
        throw bad(
          i,
          `has ${field} "${value}", which is not a date`,
          "use ISO-8601, e.g. 2024-05-08T13:56:00Z",
        );
    }
  });
  return data;
}

function parseNode(entry: unknown, where: string) {
  const parsed = TextualMemoryExport.shape.nodes.element.safeParse(entry);
  if (!parsed.success) {
    throw new InvalidInputError({
      message: `${where}: ${parsed.error.issues[0]?.message ?? "not a memory item"}`,
      hint: "expected {id, memory, metadata} or {id, vector, payload}",
    });
  }
  return parsed.data;
}

/** A dump file's parsed JSON, or a NotFoundError / InvalidInputError naming the file. */
export function readDumpJson(dir: string, filename: string): { path: string; raw: unknown } {
  const path = join(dir, filename);
  if (!existsSync(path)) {
    throw new NotFoundError({
      message: `no ${filename} in ${dir}`,
      hint: "point at a directory written by dump()",
    });
  }
  try {
    return { path, raw: JSON.parse(readFileSync(path, "utf8")) };
  } catch (cause) {
    throw new InvalidInputError({
      message: `${path} is not valid JSON`,
      hint: "restore it from a dump",
      cause,
    });
  }
}
