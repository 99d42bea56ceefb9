/**
 * Explicit preferences found by rules, without an LLM (fast mode): first-person statements of
 * likes, dislikes, allergies, diets and habits ("I prefer …", "I can't stand …", "I'm vegan",
 * "I'm allergic to …", "I always …"). Only the sentences that state one are kept, so a short
 * preference is not diluted by the rest of a long message. An LLM, when configured, finds more
 * (implicit ones too) through `extractPreferences`.
 *
 * @module
 */

/** Degree words allowed between "I" and the verb: "I really like", "I strongly dislike". */
const ADV =
  "(?:(?:really|truly|strongly|greatly|firmly|vastly|highly|absolutely|genuinely|definitely|generally|usually|mainly|mostly|primarily|exclusively|just|much|very much|also|still|totally|honestly|personally|deeply|simply|always|kind of|sort of|tend to)\\s+)*";
const I = "\\b(?:i|we)\\s+";
const IM = "\\b(?:i'?m|i am|we'?re|we are)\\s+";
const NOT = "(?:don'?t|do not|never|can'?t|cannot|won'?t|will not|wouldn'?t|would not|no longer)\\s+";

/** Each rule: a pattern over one sentence (lower case, straight quotes) and the kind it signals. */
const RULES: ReadonlyArray<{ kind: PreferenceKind; re: RegExp }> = [
  {
    kind: "dislike",
    re: new RegExp(
      `${I}${ADV}(?:dislike|hate|detest|loathe|despise|avoid|refuse|steer clear|can'?t stand|cannot stand|can'?t bear|cannot bear|can'?t tolerate|object to|am not (?:a )?fan)\\b`,
    ),
  },
  {
    kind: "dislike",
    re: new RegExp(
      `${I}${ADV}${NOT}${ADV}(?:like|love|enjoy|eat|drink|wear|use|buy|watch|play|want|care for|do)\\b`,
    ),
  },
  { kind: "dislike", re: new RegExp(`${IM}${ADV}not (?:a |really a |much of a )?(?:big |huge )?fan\\b`) },
  {
    kind: "dislike",
    re: /\bi have (?:a |an )?(?:strong |deep |real |severe |serious |intense |bit of an? )?(?:aversion|dislike|distaste|phobia|fear|allerg(?:y|ies)|intolerances?|sensitivit(?:y|ies))\b/,
  },
  {
    kind: "like",
    re: new RegExp(
      `${I}${ADV}(?:like|love|adore|enjoy|prefer|favou?r|am into|gravitate|lean towards|go for|appreciate|am passionate about|am drawn to|'d rather|would rather|opt for|stick to|only (?:eat|drink|wear|use|buy|watch|play|read|listen))\\b`,
    ),
  },
  {
    kind: "like",
    re: new RegExp(
      `${IM}${ADV}(?:a (?:big |huge |great )?fan|into|passionate about|fond of|obsessed with|drawn to|partial to)\\b`,
    ),
  },
  {
    kind: "like",
    re: /\bi have (?:a |an )?(?:strong |deep |real |clear |definite |particular )?(?:preference|passion|fondness|love|soft spot|weakness)\b/,
  },
  { kind: "like", re: /\bmy (?:absolute |all-time )?favou?rites?\b/ },
  {
    kind: "dislike",
    re: new RegExp(
      `${IM}${ADV}(?:against|opposed to|not (?:at all )?interested|uninterested|not keen|not a big fan|tired of|sick of|bored by|uncomfortable with)\\b|\\bi have (?:no|little|zero) (?:interest|patience|time for|desire)\\b|${I}${ADV}can'?t (?:handle|deal with|do)\\b`,
    ),
  },
  // "I find flashcards ineffective", "I find it hard to stay engaged …": a judgement of one's own.
  {
    kind: "like",
    re: /^(?:honestly,? |personally,? )?i (?:really |generally |usually |often |always )?find (?:it |that |\w+(?:[ -]\w+){0,5} )(?:\w+ )?(?:boring|tedious|dull|distracting|ineffective|uncomfortable|disorienting|unengaging|difficult|hard|overwhelming|annoying|frustrating|stressful|fun|relaxing|enjoyable|engaging|helpful|useful|effective|easier|more|less|too)\b/,
  },
  {
    kind: "like",
    re: new RegExp(
      `${I}${ADV}(?:learn|work|study|focus|sleep|train|perform|do) (?:best|better|most effectively)\\b|${I}${ADV}(?:thrive|flourish|excel)\\b|${I}${ADV}(?:firmly |strongly )?believe (?:that )?(?:all |every |any )?\\w+`,
    ),
  },
  // "I …, and prefer …" / "… but prefer …" in a first-person sentence.
  {
    kind: "like",
    re: /^i\b.*\b(?:and|but|so|i) (?:much |greatly |vastly |strongly )?(?:prefer|favou?r|would rather)\b/,
  },
  {
    kind: "diet",
    re: new RegExp(
      `${IM}${ADV}(?:a |an |strictly |strict )?(?:vegan|vegetarian|pescatarian|pescetarian|kosher|halal|teetotal|sober|lactose[- ]intolerant|gluten[- ]intolerant|celiac|coeliac|diabetic|allergic|intolerant|sensitive to|on a \\w+(?:[- ]\\w+)? diet|keto|paleo)\\b`,
    ),
  },
  {
    kind: "diet",
    re: /\bi (?:follow|keep|stick to|maintain|am on|eat) (?:a |an )?(?:strict |mostly |fully |entirely )?[\w-]+(?:[ -][\w-]+)?(?: and [\w-]+)? diet\b/,
  },
  {
    kind: "diet",
    re: /\bi (?:can'?t|cannot|don'?t|do not|never) (?:eat|have|drink|consume|tolerate|digest)\b/,
  },
  {
    kind: "habit",
    re: new RegExp(
      `${I}(?:always|usually|normally|typically|never|rarely|only|mostly|regularly|habitually) [a-z]+`,
    ),
  },
  { kind: "like", re: /\bi(?:'d| would) (?:much |far )?rather\b/ },
  // Last, as a fallback: a first-person sentence with a word that only states taste or a restriction.
  {
    kind: "like",
    re: /^(?=.*\b(?:i|i'm|i've|i'd|my)\b).*\b(?:prefer(?:s|red|ence|ences)?|avoid(?:s|ed|ing)?|refuse|dislike|disdain|detest|loathe|despise|aversion|allerg(?:y|ies|ic)|intoleran(?:t|ce)|vegan|vegetarian|pescatarian|halal|kosher|gluten-free|dairy-free|cruelty-free|diet|exclusively|adhere to|not into|not interested|no interest|favou?rite|objection|opposed to|steer clear|sensitive skin|can only (?:eat|use|wear|drink))\b/,
  },
];

export type PreferenceKind = "like" | "dislike" | "diet" | "habit";

export interface RulePreference {
  /** The sentence that states the preference, as written (trimmed). */
  text: string;
  kind: PreferenceKind;
}

/** Sentences of a message: split after . ! ? or a line break. */
function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Whether trimmed `s` has more than `max` words (`s.split(/\s+/).length > max`, without the array). */
function wordsOver(s: string, max: number): boolean {
  const gaps = /\s+/g;
  let words = 1;
  while (gaps.exec(s) !== null) if (++words > max) return true;
  return false;
}

/** A sentence asking something is not a statement of taste ("Do you think I like …?"). */
const isQuestion = (s: string) => s.endsWith("?");

/**
 * The explicit preferences a first-person message states, one per sentence, in order.
 * Questions, and sentences over ~60 words (instructions, pasted text), are skipped.
 *
 * @example
 * findPreferences("I can't stand horror films. Anyway, what's on tonight?");
 * // [{ text: "I can't stand horror films.", kind: "dislike" }]
 * findPreferences("I'm vegan, so no leather for me."); // [{ text: "I'm vegan, so no leather for me.", kind: "diet" }]
 */
export function findPreferences(message: string): RulePreference[] {
  const out: RulePreference[] = [];
  for (const s of sentences(message)) {
    if (isQuestion(s) || wordsOver(s, 60)) continue;
    const norm = s
      .toLowerCase()
      .replace(/[\u2018\u2019]/g, "'")
      .replace(/^["\u201c]+|["\u201d]+$/g, "");
    const rule = RULES.find((r) => r.re.test(norm));
    if (rule) out.push({ text: s, kind: rule.kind });
  }
  return out;
}

/** True when a message states at least one explicit preference. */
export function statesPreference(message: string): boolean {
  return findPreferences(message).length > 0;
}
