/**
 * PrefEval data (amazon-science/PrefEval): the explicit-preference items, one JSON file per
 * topic, and the distractor chats put between a preference and its question. Validated with
 * zod, so a wrong file fails with the path of the first bad field.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { InvalidInputError } from "../../src/core/errors/index.js";

const nonBlank = z.string().refine((s) => s.trim() !== "", { error: "must be a non-empty string" });

/** One explicit-preference item as PrefEval writes it. */
const RawItem = z.looseObject({
  preference: nonBlank,
  question: nonBlank,
  // Only the LLM judge reads it; an empty one costs nothing in retrieval.
  explanation: z.string().default(""),
});

/** A topic file: a non-empty list of items. */
export const PrefevalTopicFile = z.array(RawItem).min(1, "no items in the file");

const RawTurn = z.looseObject({ role: nonBlank, content: z.string() });

/** The distractor file: `[{conversation_id, conversation: [{role, content}]}]` (extra keys kept). */
export const DistractorFile = z
  .array(
    z.looseObject({
      conversation_id: z.union([z.string(), z.number()]).transform(String),
      conversation: z.array(RawTurn).min(1, "a chat needs at least one turn"),
    }),
  )
  .min(1, "no chats in the file");

/** One item to evaluate: a stated preference and a later question it should shape. */
export interface PrefevalItem {
  /** The topic file's base name, e.g. "lifestyle_dietary". */
  topic: string;
  /** Position in its topic file (0-based): with the topic, the item's stable id. */
  index: number;
  preference: string;
  question: string;
  /** PrefEval's note on what a preference-following answer does (for the LLM judge). */
  explanation: string;
}

/** One chat turn. */
export interface ChatTurn {
  role: string;
  content: string;
}

/** A distractor chat. */
export interface DistractorChat {
  id: string;
  turns: ChatTurn[];
}

async function readJson(file: string, what: string, hint: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new InvalidInputError({ message: `cannot read ${what} ${file}`, hint, cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new InvalidInputError({
      message: `${file} is not valid JSON`,
      hint: "check the file is complete",
      cause,
    });
  }
}

/** Validates one topic's parsed JSON. Throws InvalidInputError naming the bad field. */
export function parsePrefevalTopic(json: unknown, topic: string, source = topic): PrefevalItem[] {
  const parsed = PrefevalTopicFile.safeParse(json);
  if (!parsed.success) {
    throw new InvalidInputError({
      message: `${source} is not a PrefEval topic file: ${z.prettifyError(parsed.error)}`,
      hint: "expected PrefEval's explicit-preference layout: [{preference, question, explanation}]",
    });
  }
  return parsed.data.map((raw, index) => ({
    topic,
    index,
    preference: raw.preference.trim(),
    question: raw.question.trim(),
    explanation: raw.explanation,
  }));
}

/** The topics (file base names, sorted) in a PrefEval `explicit/` directory. */
export async function listPrefevalTopics(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw new InvalidInputError({
      message: `cannot read the PrefEval directory ${dir}`,
      hint: "pass --data with PrefEval's explicit/ directory (see shared/data/README.md)",
      cause,
    });
  }
  const topics = names
    .filter((n) => n.endsWith(".json"))
    .map((n) => n.slice(0, -".json".length))
    .sort();
  if (topics.length === 0) {
    throw new InvalidInputError({
      message: `no topic files (*.json) in ${dir}`,
      hint: "pass --data with PrefEval's explicit/ directory",
    });
  }
  return topics;
}

/**
 * Reads the topics of a PrefEval `explicit/` directory: all of them, or the ones named (an
 * unknown name is an InvalidInputError listing the available ones). Items keep file order.
 */
export async function loadPrefevalItems(dir: string, topics?: readonly string[]): Promise<PrefevalItem[]> {
  const available = await listPrefevalTopics(dir);
  const wanted = topics && topics.length > 0 ? [...new Set(topics)] : available;
  for (const t of wanted) {
    if (!available.includes(t)) {
      throw new InvalidInputError({
        message: `no topic "${t}" in ${dir}`,
        hint: `available: ${available.join(", ")}`,
      });
    }
  }
  const items: PrefevalItem[] = [];
  for (const topic of wanted) {
    const file = path.join(dir, `${topic}.json`);
    items.push(
      ...parsePrefevalTopic(await readJson(file, "PrefEval topic file", "check --data"), topic, file),
    );
  }
  return items;
}

/** Validates the distractor file's parsed JSON. Blank turns are dropped (a memory needs text). */
export function parseDistractorChats(json: unknown, source = "distractor file"): DistractorChat[] {
  const parsed = DistractorFile.safeParse(json);
  if (!parsed.success) {
    throw new InvalidInputError({
      message: `${source} is not a PrefEval distractor file: ${z.prettifyError(parsed.error)}`,
      hint: "expected [{conversation_id, conversation: [{role, content}]}]",
    });
  }
  return parsed.data.map((c) => ({
    id: c.conversation_id,
    turns: c.conversation
      .filter((t) => t.content.trim() !== "")
      .map((t) => ({ role: t.role.trim(), content: t.content })),
  }));
}

/** Reads and validates the distractor chats file. */
export async function loadDistractorChats(file: string): Promise<DistractorChat[]> {
  const json = await readJson(
    file,
    "PrefEval distractor file",
    "pass --distractor-file with PrefEval's distractor-chats.json (see shared/data/README.md)",
  );
  return parseDistractorChats(json, file);
}
