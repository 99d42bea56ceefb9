/**
 * A small SentencePiece-style ("llama" tokenizer model) vocabulary for random-weight test models.
 *
 * llama.cpp's SPM tokenizer starts from single characters and repeatedly merges the adjacent pair
 * whose concatenation is a vocabulary piece with the best score; characters it cannot cover fall
 * back to `<0xNN>` byte tokens. Every word below is added together with all its prefixes
 * ("▁h", "▁he", ... "▁hello"), so whole words are reachable by merges and token counts look like a
 * real model's rather than one token per character.
 */

/** GGUF `tokenizer.ggml.token_type` values (llama.cpp `llama_token_attr` legacy types). */
export const TokenType = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

export interface Vocab {
  tokens: string[];
  scores: number[];
  types: number[];
  bos: number;
  eos: number;
  unk: number;
  /** ChatML turn markers, control tokens as in Qwen models. */
  imStart: number;
  imEnd: number;
}

const WORDS = (
  "the a an and of to in is it that for on with as was at by be this are or from not you i we " +
  "he she they my your his her their me us do does did have has had will can what when where who " +
  "why how yes no ok hello hi world user assistant system memory memories cube graph text model " +
  "cache query answer question remember name likes like lives live work works love loves paris " +
  "london tea coffee blue green red today yesterday tomorrow morning night day week year time"
).split(" ");

const CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'\"-:;()[]{}_/@#$%&*+=<>";

/** SPM word-boundary marker (U+2581), which llama.cpp substitutes for spaces. */
export const SPACE = "\u2581";

/**
 * Build the vocabulary. Deterministic: same words, same order, same ids.
 *
 * @example
 * const v = buildVocab(); v.tokens[v.eos] === "<|im_end|>";
 */
export function buildVocab(): Vocab {
  const tokens: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  const seen = new Set<string>();
  const add = (piece: string, score: number, type: number): number => {
    if (seen.has(piece)) return tokens.indexOf(piece);
    seen.add(piece);
    tokens.push(piece);
    scores.push(score);
    types.push(type);
    return tokens.length - 1;
  };

  const unk = add("<unk>", 0, TokenType.unknown);
  const bos = add("<s>", 0, TokenType.control);
  add("</s>", 0, TokenType.control);
  const imStart = add("<|im_start|>", 0, TokenType.control);
  const imEnd = add("<|im_end|>", 0, TokenType.control);
  for (let b = 0; b < 256; b++)
    add(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`, 0, TokenType.byte);
  add(SPACE, -10, TokenType.normal);
  for (const c of CHARS) add(c, -10, TokenType.normal);
  for (const word of WORDS) {
    const piece = SPACE + word;
    // Longer pieces score higher so the merge of a longer prefix wins over a shorter one.
    for (let n = 2; n <= piece.length; n++) add(piece.slice(0, n), -5 + n * 0.1, TokenType.normal);
  }
  // The chat template ends turns with <|im_end|>; making it EOS lets generation stop on it.
  return { tokens, scores, types, bos, eos: imEnd, unk, imStart, imEnd };
}

/** A ChatML template (the format Qwen models use), stored in `tokenizer.chat_template`. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
