import { z } from "zod";
import type { LLMMessage } from "../../../core/interfaces/language-model.js";

/**
 * Prompts and answer schemas for preference extraction and for judging new preferences against
 * stored ones. Schemas are built per call: indexes and ids are bounded to what the prompt showed,
 * so an answer pointing elsewhere fails validation (and gets generateObject's repair turn)
 * instead of being written.
 */

const EXTRACT_SYSTEM = `You find the USER's preferences in a conversation, for a memory that personalises later answers.

Two kinds:
- explicit: said outright by the user: likes, dislikes, wishes, refusals, habits, constraints, and instructions on how to be answered.
  "I'm vegetarian" -> "The user is vegetarian"; "please don't use emojis" -> "The user does not want emojis in replies".
- implicit: never said, but clearly shown by what the user does, asks or chooses across the turns.
  Three requests for code samples -> "The user prefers answers with code examples". Put the evidence in "reasoning". Do not guess from one vague hint.

Rules:
- Only the user's preferences. An assistant's suggestion or opinion is not a preference unless the user clearly accepts it; then cite the user's turn.
- Only lasting preferences. Skip one-off requests about the task at hand ("summarise this file") and facts that are not preferences.
- Write each as one short, self-contained third-person sentence about the user ("The user prefers window seats"), in the language of the conversation.
- When the user changes their mind, keep only the latest preference ("I used to be vegetarian, but I eat fish now" -> "The user eats fish").
- Do not list an explicit preference again as implicit.
- topic: one or two lowercase words for the domain (food, travel, music, writing style, ...).
- evidence_index: the [number] of the turn that shows it best; for explicit preferences, the user's turn that states it.
- Nothing found: empty lists.

Answer with JSON only: {"explicit": [{"preference", "topic", "evidence_index"}], "implicit": [{"preference", "topic", "reasoning", "evidence_index"}]}`;

/** One conversation turn as the model sees it: `[i] role (speaker, time): content`. */
export interface PromptTurn {
  index: number;
  role: string;
  speaker?: string;
  time?: string;
  content: string;
}

export function renderTurn(t: PromptTurn): string {
  const who = [t.speaker, t.time].filter(Boolean).join(", ");
  return `[${t.index}] ${t.role}${who ? ` (${who})` : ""}: ${t.content}`;
}

/** The extraction prompt for a slice of turns (indexes are the slice's, from 0). */
export function buildExtractionPrompt(turns: PromptTurn[]): LLMMessage[] {
  return [
    { role: "system", content: EXTRACT_SYSTEM },
    {
      role: "user",
      content: `Conversation (turns numbered from 0):\n${turns.map(renderTurn).join("\n")}\n\nList the user's explicit and implicit preferences.`,
    },
  ];
}

const statement = z.string().trim().min(1).max(500);
const topic = z.string().trim().min(1).max(60);

/** `{explicit: [...], implicit: [...]}`, closed, with evidence indexes inside the slice. */
export function extractionSchema(turnCount: number) {
  const evidence = z
    .number()
    .int()
    .min(0)
    .max(Math.max(0, turnCount - 1));
  return z.strictObject({
    explicit: z.array(z.strictObject({ preference: statement, topic, evidence_index: evidence })),
    implicit: z.array(
      z.strictObject({
        preference: statement,
        topic,
        reasoning: z.string().trim().min(1).max(1000),
        evidence_index: evidence,
      }),
    ),
  });
}
export type PreferenceExtraction = z.output<ReturnType<typeof extractionSchema>>;

const JUDGE_SYSTEM = `You compare preferences just learnt about a user with the ones already stored for that user.

For each related pair (new index, stored id) answer one relation:
- same: the new preference restates, refines or extends the stored one (its wording will replace the stored one).
- conflict: both cannot hold at once, the user changed their mind ("The user is vegetarian" vs "The user eats fish").
Leave unrelated pairs out; an empty list is a fine answer. Use only the indexes and ids shown.

Answer with JSON only: {"decisions": [{"new_index", "existing_id", "relation"}]}`;

export interface JudgeInput {
  fresh: { index: number; preference: string; topic: string }[];
  stored: { id: string; preference: string; topic?: string | null }[];
}

/** The prompt that asks which stored preferences a new one restates or contradicts. */
export function buildJudgePrompt(input: JudgeInput): LLMMessage[] {
  const stored = input.stored.map(
    (s) => `- id=${s.id}: ${s.preference}${s.topic ? ` (topic: ${s.topic})` : ""}`,
  );
  const fresh = input.fresh.map((f) => `[${f.index}] ${f.preference} (topic: ${f.topic})`);
  return [
    { role: "system", content: JUDGE_SYSTEM },
    {
      role: "user",
      content: `Stored preferences:\n${stored.join("\n")}\n\nNew preferences:\n${fresh.join("\n")}\n\nWhich pairs are the same preference, and which conflict?`,
    },
  ];
}

/** `{decisions: [...]}`, closed; ids limited to the stored ones shown (at least one). */
export function judgeSchema(freshCount: number, storedIds: [string, ...string[]]) {
  return z.strictObject({
    decisions: z.array(
      z.strictObject({
        new_index: z
          .number()
          .int()
          .min(0)
          .max(Math.max(0, freshCount - 1)),
        existing_id: z.enum(storedIds),
        relation: z.enum(["same", "conflict"]),
      }),
    ),
  });
}
export type JudgeAnswer = z.output<ReturnType<typeof judgeSchema>>;
