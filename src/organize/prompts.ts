/**
 * Prompts of the reorganizer. Each user message opens with a fixed first line (see
 * {@link PROMPT_MARKERS}), so scripted test models and logs can tell the tasks apart.
 * Memories are data: they are quoted in the user message, never in the system message.
 *
 * @module
 */
import { z } from "zod";
import type { LLMMessage } from "../core/interfaces/language-model.js";
import type { TextualMemoryItem } from "../core/schema/memory.js";

/** The first line of each task's user message. */
export const PROMPT_MARKERS = {
  pair: "Compare memory A and memory B.",
  merge: "Merge memory A and memory B into one memory.",
  summary: "Summarise these related memories as one topic.",
  relations: "Find relations between these numbered memories.",
} as const;

export const PairJudgement = z
  .object({
    relation: z.enum(["contradictory", "redundant", "independent"]),
    reason: z.string().max(200),
  })
  .strict();
export type PairJudgement = z.infer<typeof PairJudgement>;

export const MergedMemory = z.object({
  memory: z.string().min(1),
  key: z.string(),
  tags: z.array(z.string()),
});
export type MergedMemory = z.infer<typeof MergedMemory>;

export const TopicSummary = MergedMemory;
export type TopicSummary = MergedMemory;

export const RELATION_TYPES = ["CAUSE", "CONDITION", "RELATE_TO"] as const;
export const RelationList = z.object({
  relations: z.array(
    z.object({
      source: z.number().int(),
      target: z.number().int(),
      relation: z.enum(RELATION_TYPES),
    }),
  ),
});
export type RelationList = z.infer<typeof RelationList>;

const SYSTEM =
  "You maintain a long-term memory of facts about users and their conversations. " +
  "Memories are written in the third person. Answer with JSON only.";

function when(item: TextualMemoryItem): string {
  return item.metadata.valid_at ?? item.metadata.created_at ?? "unknown time";
}

function quote(label: string, item: TextualMemoryItem): string {
  return `Memory ${label} (true from ${when(item)}): ${item.memory}`;
}

/** Ask whether two memories contradict each other, repeat each other, or are independent. */
export function pairPrompt(a: TextualMemoryItem, b: TextualMemoryItem): LLMMessage[] {
  return [
    { role: "system", content: SYSTEM },
    {
      role: "user",
      content: [
        PROMPT_MARKERS.pair,
        quote("A", a),
        quote("B", b),
        "",
        'relation: "contradictory" if both cannot be true at the same time (e.g. a changed preference or fact), ' +
          '"redundant" if they state the same information (one may add small details), ' +
          '"independent" otherwise. reason: one short sentence.',
      ].join("\n"),
    },
  ];
}

/** Ask for one memory holding everything two redundant memories say. */
export function mergePrompt(a: TextualMemoryItem, b: TextualMemoryItem): LLMMessage[] {
  return [
    { role: "system", content: SYSTEM },
    {
      role: "user",
      content: [
        PROMPT_MARKERS.merge,
        quote("A", a),
        quote("B", b),
        "",
        "memory: one self-contained sentence or two that keep every detail of both (names, dates, numbers). " +
          "key: a short title. tags: a few lowercase keywords.",
      ].join("\n"),
    },
  ];
}

function numbered(items: TextualMemoryItem[]): string {
  return items.map((it, i) => `${i}. ${it.memory}`).join("\n");
}

/** Ask for a topic summary of a cluster of memories. */
export function summaryPrompt(items: TextualMemoryItem[]): LLMMessage[] {
  return [
    { role: "system", content: SYSTEM },
    {
      role: "user",
      content: [
        PROMPT_MARKERS.summary,
        numbered(items),
        "",
        "memory: a short paragraph summarising what they say together. key: a short topic title. " +
          "tags: a few lowercase keywords.",
      ].join("\n"),
    },
  ];
}

/** Ask for CAUSE / CONDITION / RELATE_TO relations among numbered memories. */
export function relationsPrompt(items: TextualMemoryItem[]): LLMMessage[] {
  return [
    { role: "system", content: SYSTEM },
    {
      role: "user",
      content: [
        PROMPT_MARKERS.relations,
        numbered(items),
        "",
        `relations: list {source, target, relation} with the numbers above (0 to ${items.length - 1}). ` +
          "CAUSE: source led to target. CONDITION: source is a precondition of target. " +
          "RELATE_TO: closely related otherwise. Leave out unrelated pairs; an empty list is fine.",
      ].join("\n"),
    },
  ];
}
