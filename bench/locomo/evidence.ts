/**
 * LoCoMo's evidence ids are mostly `D<session>:<turn>`, but a few are malformed: "D:11:26"
 * (stray colon), "D30:05" (zero-padded turn), "D8:6; D9:17" (several ids in one string), ids
 * past a session's end, or a bare "D". We repair what has one obvious reading and drop the rest,
 * counting each case so reports show how much of the gold data was touched.
 */

/** What normalisation did, summed over questions. */
export interface EvidenceCounts {
  /** Evidence strings read from the file. */
  raw: number;
  /** Strings already a valid id of a turn in the conversation. */
  valid: number;
  /** Strings holding several ids, split apart. */
  split: number;
  /** Ids whose form was repaired ("D:11:26" → "D11:26", "D30:05" → "D30:5"). */
  repaired: number;
  /** Pieces with no readable session and turn number (e.g. "D"): dropped. */
  droppedUnparseable: number;
  /** Well-formed ids naming no turn of the conversation (past a session's end): dropped. */
  droppedUnknown: number;
  /** Repeats of an id already listed for the same question: dropped. */
  droppedDuplicate: number;
  /** Questions left without any usable evidence (not scored in retrieval metrics). */
  questionsWithoutEvidence: number;
}

/** All-zero counts, to accumulate into. */
export function emptyEvidenceCounts(): EvidenceCounts {
  return {
    raw: 0,
    valid: 0,
    split: 0,
    repaired: 0,
    droppedUnparseable: 0,
    droppedUnknown: 0,
    droppedDuplicate: 0,
    questionsWithoutEvidence: 0,
  };
}

/** Adds `b` into `a` (mutates and returns `a`). */
export function addEvidenceCounts(a: EvidenceCounts, b: EvidenceCounts): EvidenceCounts {
  for (const key of Object.keys(a) as (keyof EvidenceCounts)[]) a[key] += b[key];
  return a;
}

// "D", optional stray colon or spaces, session digits, ":", turn digits. Anything else is unreadable.
const ID = /^D\s*:?\s*(\d+)\s*:\s*(\d+)$/i;

/** Canonical form of one id ("D30:05" → "D30:5"), or undefined if it cannot be read. */
export function canonicalEvidenceId(piece: string): string | undefined {
  const m = ID.exec(piece.trim());
  if (!m) return undefined;
  return `D${Number(m[1])}:${Number(m[2])}`;
}

/**
 * Normalises one question's evidence against the set of turn ids of its conversation.
 * Returns the usable ids (deduplicated, in first-seen order) and what was done to get them.
 */
export function normalizeEvidence(
  evidence: readonly string[],
  turnIds: ReadonlySet<string>,
): { ids: string[]; counts: EvidenceCounts } {
  const counts = emptyEvidenceCounts();
  const ids: string[] = [];
  for (const raw of evidence) {
    counts.raw++;
    if (turnIds.has(raw)) {
      counts.valid++;
      if (ids.includes(raw)) counts.droppedDuplicate++;
      else ids.push(raw);
      continue;
    }
    // Several ids in one string are separated by ";", "," or spaces — but "D 3:4" is one id, so
    // split only in front of a "D".
    const pieces = raw
      .split(/[;,]|\s+(?=D)/i)
      .map((p) => p.trim())
      .filter((p) => p !== "");
    if (pieces.length > 1) counts.split++;
    for (const piece of pieces) {
      const id = canonicalEvidenceId(piece);
      if (id === undefined) {
        counts.droppedUnparseable++;
        continue;
      }
      if (!turnIds.has(id)) {
        counts.droppedUnknown++;
        continue;
      }
      if (id !== piece) counts.repaired++;
      if (ids.includes(id)) counts.droppedDuplicate++;
      else ids.push(id);
    }
  }
  if (ids.length === 0) counts.questionsWithoutEvidence++;
  return { ids, counts };
}
