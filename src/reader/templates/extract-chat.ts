/**
 * Prompt and output schema for fine (LLM) extraction of memories from a chat window.
 *
 * @module
 */
import { z } from "zod";
import type { LLMMessage } from "../../core/interfaces/language-model.js";

/**
 * Bounds on what the model may return. They keep the schema closed and finite, so a
 * grammar-constrained backend (llama.cpp) is forced to finish the JSON within a known size.
 */
export const EXTRACTION_LIMITS = {
  memories: 20,
  keyChars: 100,
  valueChars: 600,
  tags: 6,
  tagChars: 40,
  backgroundChars: 800,
} as const;

const L = EXTRACTION_LIMITS;

/** One memory the model extracted from a conversation. */
export const ChatMemory = z
  .object({
    key: z.string().min(1).max(L.keyChars).describe("short title, at most 8 words"),
    memory_type: z.enum(["LongTermMemory", "UserMemory"]),
    value: z
      .string()
      .min(1)
      .max(L.valueChars)
      .describe("one self-contained fact, third person, absolute dates"),
    tags: z.array(z.string().min(1).max(L.tagChars)).max(L.tags),
  })
  .strict();

/** What the model answers for a chat window: memories plus a background summary. */
export const ChatExtraction = z
  .object({
    memories: z.array(ChatMemory).max(L.memories),
    background: z.string().max(L.backgroundChars).describe("one or two sentences of context"),
  })
  .strict();
export type ChatExtraction = z.infer<typeof ChatExtraction>;

export interface ChatPromptInput {
  /** The window as rendered by the reader: a time header, then `Speaker: text` lines. */
  conversation: string;
  /** Absolute time of the window's first message, human-readable ("Monday 8 May 2023, 1:56 pm UTC"). */
  time: string;
  /** The same time as ISO-8601. */
  timeIso: string;
  /** Each speaker once, with the role their messages had ("user", "assistant", ...). */
  speakers: { name: string; role: string }[];
}

const SYSTEM = `You turn a conversation into memories for a long-term memory store.

Rules:
1. Third person. Name people by their names (as given under "Speakers"); never write "I", "me", "my", "you" or a pronoun whose person is unclear.
2. Absolute times. Resolve every relative time ("yesterday", "last week", "two days ago", "next Friday", "tomorrow") against the time the message was said, and write the absolute date, e.g. "Caroline went to a support group on 7 May 2023." The conversation header gives the time of its first message; a line starting with "[...]" was said at that time.
3. One fact per memory: split compound statements. Keep concrete details (names, places, numbers, dates). Do not add anything that was not said.
4. memory_type: "UserMemory" for facts about the user (the speaker(s) with role "user": identity, preferences, plans, experiences, relationships); "LongTermMemory" for everything else.
5. key: a short title of at most 8 words. tags: 1 to 5 lowercase topic words.
6. background: one or two sentences on what the conversation is about.
7. If nothing is worth remembering, answer with an empty "memories" list.

Answer with JSON only: {"memories": [{"key": "...", "memory_type": "UserMemory" | "LongTermMemory", "value": "...", "tags": ["..."]}], "background": "..."}`;

/**
 * The messages for extracting memories from one chat window: fixed rules in the system message;
 * time, speakers and the conversation in the user message.
 *
 * @example
 * buildChatExtractionPrompt({
 *   conversation: "Monday 8 May 2023, 1:56 pm UTC\nCaroline: I went to a support group yesterday.",
 *   time: "Monday 8 May 2023, 1:56 pm UTC",
 *   timeIso: "2023-05-08T13:56:00.000Z",
 *   speakers: [{ name: "Caroline", role: "user" }],
 * });
 */
export function buildChatExtractionPrompt(input: ChatPromptInput): LLMMessage[] {
  const users = input.speakers.filter((s) => s.role.trim().toLowerCase() === "user").map((s) => s.name);
  const speakers = input.speakers.map((s) => `- ${s.name} (role: ${s.role})`).join("\n");
  const userLine = users.length
    ? `The user: ${users.join(", ")}. Facts about ${users.length === 1 ? "this person" : "these people"} are UserMemory.`
    : "No speaker has the role user: every memory is LongTermMemory.";
  const user = [
    `Time of the first message: ${input.time} (${input.timeIso}).`,
    `Speakers:\n${speakers}`,
    userLine,
    "",
    "Conversation:",
    input.conversation,
    "",
    "Extract the memories.",
  ].join("\n");
  return [
    { role: "system", content: SYSTEM },
    { role: "user", content: user },
  ];
}
