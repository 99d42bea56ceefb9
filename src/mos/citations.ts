import type { PromptMemory } from "./chat-prompt.js";

/** A citation found in an answer, mapped to a memory that was in the prompt. */
export interface Citation {
  /** The memory's number in the prompt. */
  index: number;
  memoryId: string;
  cubeId: string;
}

/** A citation the answer made to something that was not in the prompt: dropped, and reported. */
export interface DroppedCitation {
  /** As written in the answer. */
  text: string;
  index: number;
  memoryId: string;
  reason: string;
}

const GROUP = /\[([^[\]\n]{1,400})\]/g;
const ONE = /^\s*(\d{1,4})\s*:\s*(\S+?)\s*$/;

/**
 * The `[i:memId]` citations of an answer (also grouped, `[1:a, 2:b]`), each checked against the
 * memories the prompt held. The id decides: a known id is kept (with the prompt's number, even if
 * the model wrote another), an unknown one is dropped and reported, since a model may invent ids.
 * Each memory is cited once, in order of first appearance.
 *
 * @example
 * parseCitations("You live in Lisbon [1:m1]; you like tea [2:zzz].", [{ index: 1, memoryId: "m1", cubeId: "c", item }]);
 * // { citations: [{ index: 1, memoryId: "m1", cubeId: "c" }],
 * //   dropped: [{ text: "[2:zzz]", index: 2, memoryId: "zzz", reason: "id not among the memories given" }] }
 */
export function parseCitations(
  answer: string,
  memories: PromptMemory[],
): { citations: Citation[]; dropped: DroppedCitation[] } {
  const byId = new Map(memories.map((m) => [m.memoryId, m]));
  const citations: Citation[] = [];
  const dropped: DroppedCitation[] = [];
  const seen = new Set<string>();
  for (const group of answer.matchAll(GROUP)) {
    for (const part of (group[1] ?? "").split(/[,;]/)) {
      const m = ONE.exec(part);
      if (!m) continue;
      const index = Number(m[1]);
      const memoryId = m[2] as string;
      // "[10:30]" is a time, not a citation: an id has a letter or a dash, or is long.
      if (!/[A-Za-z-]/.test(memoryId) && memoryId.length < 5) continue;
      const known = byId.get(memoryId);
      if (!known) {
        dropped.push({
          text: `[${index}:${memoryId}]`,
          index,
          memoryId,
          reason: "id not among the memories given",
        });
        continue;
      }
      if (seen.has(memoryId)) continue;
      seen.add(memoryId);
      citations.push({ index: known.index, memoryId, cubeId: known.cubeId });
    }
  }
  return { citations, dropped };
}
