/**
 * The LoCoMo data file (snap-research/LoCoMo `locomo10.json` layout): validated with zod, then
 * reshaped into ordered sessions so the rest of the benchmark never touches raw keys.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { InvalidInputError } from "../../src/core/errors/index.js";

/** LoCoMo's names for its QA categories (5, adversarial, is skipped by evaluations). */
export const CATEGORY_NAMES: Readonly<Record<number, string>> = {
  1: "multi-hop",
  2: "temporal",
  3: "open-domain",
  4: "single-hop",
  5: "adversarial",
};

const RawTurn = z.looseObject({
  speaker: z.string().min(1),
  dia_id: z.string().min(1),
  text: z.string(),
  blip_caption: z.string().optional(),
});

const RawQa = z.looseObject({
  question: z.string().min(1),
  // Category 5 carries `adversarial_answer` instead; some answers are numbers.
  answer: z.union([z.string(), z.number()]).nullish(),
  adversarial_answer: z.union([z.string(), z.number()]).nullish(),
  evidence: z.array(z.string()).default([]),
  category: z.number().int().min(1).max(5),
});

// `conversation` mixes speaker names, `session_N` turn lists and `session_N_date_time` strings;
// some files list dates for sessions that have no turns, so every key is checked separately.
const RawConversationBody = z
  .looseObject({ speaker_a: z.string().min(1), speaker_b: z.string().min(1) })
  .catchall(z.unknown());

const RawSample = z.looseObject({
  sample_id: z.string().min(1),
  conversation: RawConversationBody,
  qa: z.array(RawQa),
});

/** The whole file: an array of conversations. */
export const LocomoFile = z.array(RawSample).min(1, "no conversations in the file");

export interface LocomoTurn {
  speaker: string;
  /** e.g. "D3:12": session 3, turn 12. */
  diaId: string;
  text: string;
  blipCaption?: string;
}

export interface LocomoSession {
  /** N of `session_N`. */
  index: number;
  /** As written, e.g. "1:56 pm on 8 May, 2023"; undefined when the file has no date for it. */
  dateTime?: string;
  turns: LocomoTurn[];
}

export interface LocomoQa {
  question: string;
  /** Gold answer as text (numbers stringified); empty for adversarial items without one. */
  answer: string;
  /** Evidence ids exactly as in the file (see evidence.ts for normalisation). */
  evidence: string[];
  category: number;
}

export interface LocomoConversation {
  id: string;
  speakerA: string;
  speakerB: string;
  /** Sessions with turns, in session order. */
  sessions: LocomoSession[];
  qa: LocomoQa[];
}

const TurnList = z.array(RawTurn);

function toConversation(raw: z.infer<typeof RawSample>, where: string): LocomoConversation {
  const body = raw.conversation;
  const sessions: LocomoSession[] = [];
  for (const [key, value] of Object.entries(body)) {
    const m = /^session_(\d+)$/.exec(key);
    if (!m) continue;
    const parsed = TurnList.safeParse(value);
    if (!parsed.success) {
      throw new InvalidInputError({
        message: `${where}.conversation.${key}: ${z.prettifyError(parsed.error)}`,
        hint: "each session must be a list of {speaker, dia_id, text} turns (LoCoMo locomo10.json layout)",
      });
    }
    const date = body[`${key}_date_time`];
    sessions.push({
      index: Number(m[1]),
      ...(typeof date === "string" && date.trim() !== "" ? { dateTime: date } : {}),
      turns: parsed.data.map((t) => ({
        speaker: t.speaker,
        diaId: t.dia_id,
        text: t.text,
        ...(t.blip_caption !== undefined ? { blipCaption: t.blip_caption } : {}),
      })),
    });
  }
  sessions.sort((a, b) => a.index - b.index);
  return {
    id: raw.sample_id,
    speakerA: body.speaker_a,
    speakerB: body.speaker_b,
    sessions,
    qa: raw.qa.map((q) => ({
      question: q.question,
      answer: q.answer === null || q.answer === undefined ? "" : String(q.answer),
      evidence: q.evidence,
      category: q.category,
    })),
  };
}

/** Validates parsed JSON as a LoCoMo file. Throws InvalidInputError naming the bad field. */
export function parseLocomo(json: unknown, source = "data"): LocomoConversation[] {
  const parsed = LocomoFile.safeParse(json);
  if (!parsed.success) {
    throw new InvalidInputError({
      message: `${source} is not a LoCoMo file: ${z.prettifyError(parsed.error)}`,
      hint: "expected LoCoMo's locomo10.json layout: [{sample_id, conversation, qa}]",
    });
  }
  return parsed.data.map((raw, i) => toConversation(raw, `${source}[${i}]`));
}

/** Reads and validates a LoCoMo JSON file. Missing file or bad JSON → InvalidInputError with a hint. */
export async function loadLocomo(file: string): Promise<LocomoConversation[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new InvalidInputError({
      message: `cannot read LoCoMo data file ${file}`,
      hint: "pass --data with the path of locomo-dev.json (see shared/data/README.md)",
      cause,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InvalidInputError({
      message: `${file} is not valid JSON`,
      hint: "check the file is complete",
      cause,
    });
  }
  return parseLocomo(json, file);
}
