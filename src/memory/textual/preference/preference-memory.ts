import { ConfigError } from "../../../core/errors/config-error.js";
import { NotFoundError } from "../../../core/errors/not-found-error.js";
import { embedMany } from "../../../core/interfaces/embedder.js";
import type { LanguageModel } from "../../../core/interfaces/language-model.js";
import { type FilterNode, type MemoryFilter, normalizeFilter } from "../../../core/schema/filter.js";
import type { TextualMemoryItem } from "../../../core/schema/memory.js";
import { type ChatMessage, validateChatMessages } from "../../../reader/chat-schema.js";
import { embeddingText } from "../../../retrieve/vectors.js";
import { GeneralTextMemory } from "../general.js";
import { materialize } from "../item-ops.js";
import { StoreBackedTextMemory } from "../store-backed.js";
import type { MemoryInput, SearchHit, UpdatePatch } from "../types.js";
import { extractPreferences, extractPreferencesByRules } from "./extract.js";
import { formatPreferencesForPrompt } from "./format.js";
import { isPreference, requirePreferenceType, scopeFilter } from "./items.js";
import { readPreferenceDump, writePreferenceDump } from "./persist.js";
import { reconcile } from "./reconcile.js";
import {
  EXPLICIT_CONFIDENCE,
  IMPLICIT_CONFIDENCE,
  PREFERENCE_MEMORY_FILE,
  PREFERENCE_MEMORY_TYPE,
  type PreferenceAddContext,
  type PreferenceAddResult,
  type PreferenceCandidate,
  type PreferenceGetAllOptions,
  type PreferenceScope,
  type PreferenceSearchOptions,
  type PreferenceTextMemoryOptions,
} from "./types.js";

/**
 * MemOS's preference memory: what the user likes, wants and refuses, kept apart from facts so a
 * chat can honour it. Preferences are TextualMemoryItems with `memory_type: "PreferenceMemory"`
 * and `preference_type` explicit (stated: "I'm vegetarian") or implicit (inferred from behaviour,
 * with `reasoning`). Every read is scoped to PreferenceMemory, so the store may be shared with a
 * text memory. A new preference updates the one it restates (history + version) and overrides
 * the one it contradicts (`invalid_at`: newer wins, nothing is deleted).
 *
 * @example
 * const prefs = new PreferenceTextMemory({ store, embedder: await createGloveEmbedder(), llm });
 * await prefs.addMessages([{ role: "user", content: "I'm vegetarian, and please no emojis." }], { userId: "maya" });
 * const hits = await prefs.search("what should I cook for Maya?", { userId: "maya", topK: 5 });
 * const block = prefs.formatForPrompt(hits); // "User preferences:\n- The user is vegetarian (explicit)\n..."
 */
export class PreferenceTextMemory extends StoreBackedTextMemory {
  readonly llm: LanguageModel | undefined;
  readonly updateThreshold: number;
  readonly relatedThreshold: number;
  private readonly windowChars: number | undefined;
  private readonly maxTokens: number | undefined;
  /** Hybrid search (vector + BM25, RRF) is GeneralTextMemory's, run under a preference filter. */
  private readonly hybrid: GeneralTextMemory;

  constructor(options: PreferenceTextMemoryOptions) {
    super(options.store, options.embedder);
    this.llm = options.llm;
    this.updateThreshold = threshold(options.updateThreshold ?? 0.85, "updateThreshold");
    this.relatedThreshold = threshold(options.relatedThreshold ?? 0.6, "relatedThreshold");
    this.windowChars = options.windowChars;
    this.maxTokens = options.maxTokens;
    this.hybrid = new GeneralTextMemory({ store: options.store, embedder: options.embedder });
  }

  /**
   * The user's explicit and implicit preferences in a conversation, without storing them. With
   * an LLM, it finds them (implicit ones too); without one (fast mode), rules find the explicit
   * ones the user states ("I prefer…", "I can't stand…", "I'm vegan"; see
   * `extractPreferencesByRules`). Throws InvalidInputError for malformed messages, and the
   * model's typed error (LLMOutputError, ProviderError) when LLM extraction fails.
   *
   * @example
   * const found = await prefs.extract([{ role: "user", content: "Please don't use emojis" }]);
   * found[0]?.preference_type; // "explicit_preference"
   */
  async extract(messages: ChatMessage[], _ctx: PreferenceAddContext = {}): Promise<PreferenceCandidate[]> {
    const valid = validateChatMessages(messages);
    if (!this.llm) return extractPreferencesByRules(valid);
    return extractPreferences(this.llm, valid, {
      windowChars: this.windowChars,
      maxTokens: this.maxTokens,
    });
  }

  /**
   * Extract preferences and add-or-update them against the user's stored ones, all writes in one
   * transaction. If extraction or judging fails, the error propagates and nothing is written.
   *
   * @example
   * const { added, updated, invalidated } = await prefs.addMessages(
   *   [{ role: "user", content: "I eat fish now", chat_time: "2025-06-01T12:00:00Z" }],
   *   { userId: "maya" },
   * );
   */
  async addMessages(messages: ChatMessage[], ctx: PreferenceAddContext = {}): Promise<PreferenceAddResult> {
    const candidates = await this.extract(messages, ctx);
    return reconcile(
      {
        store: this.store,
        embedder: this.embedder,
        llm: this.llm,
        updateThreshold: this.updateThreshold,
        relatedThreshold: this.relatedThreshold,
        maxTokens: this.maxTokens,
      },
      candidates,
      ctx,
    );
  }

  /**
   * Store already-formed preferences as given (no LLM, no merging): `metadata.preference_type`
   * defaults to explicit, `preference` to the text. All commit together or none does.
   *
   * @example
   * await prefs.add(["The user prefers window seats"], { userId: "maya" });
   * await prefs.add([{ memory: "The user likes short answers", metadata: { preference_type: "implicit_preference", topic: "style" } }]);
   */
  async add(inputs: MemoryInput[], ctx: PreferenceAddContext = {}): Promise<TextualMemoryItem[]> {
    const items = materialize(inputs, ctx).map((item, i) => asPreference(item, i));
    return this.storeItems(items, {});
  }

  /**
   * Preferences relevant to a query: vector and BM25 recall fused by RRF, only PreferenceMemory,
   * only activated ones. Preferences a newer one overrode are left out unless `includeInactive`
   * or a `referenceTime` (then: those that held at that time).
   *
   * @example
   * const hits = await prefs.search("book a flight", { userId: "maya", topK: 3, preferenceType: "explicit_preference" });
   */
  async search(query: string, options: PreferenceSearchOptions = {}): Promise<SearchHit[]> {
    const { userId, preferenceType, filter, ...rest } = options;
    const scope = scopeFilter({ userId, preferenceType });
    if (!options.includeInactive && options.referenceTime === undefined) scope.invalid_at = null;
    return this.hybrid.search(query, { ...rest, filter: filter ? { and: [scope, filter] } : scope });
  }

  /**
   * The system-prompt block for these preferences (see {@link formatPreferencesForPrompt}).
   *
   * @example
   * const system = `${base}\n\n${prefs.formatForPrompt(await prefs.search(question, { userId }))}`;
   */
  formatForPrompt(hits: (SearchHit | TextualMemoryItem)[]): string {
    return formatPreferencesForPrompt(hits);
  }

  /**
   * A preference by id; NotFoundError when absent or not a preference.
   *
   * @example
   * const pref = await prefs.get(id); // pref.metadata.preference_type, .preference, .history
   */
  override async get(id: string): Promise<TextualMemoryItem> {
    const item = await this.store.getItem(id);
    if (!item || !isPreference(item)) {
      throw new NotFoundError({ message: `no preference ${id}`, hint: "list preferences with getAll()" });
    }
    return item;
  }

  override async getMany(ids: string[]): Promise<TextualMemoryItem[]> {
    return (await this.store.getItems(ids)).filter(isPreference);
  }

  /**
   * Stored preferences, oldest first, overridden ones included (their `invalid_at` says so).
   *
   * @example
   * const mine = await prefs.getAll({ userId: "maya", preferenceType: "implicit_preference" });
   */
  override async getAll(options: PreferenceGetAllOptions = {}): Promise<TextualMemoryItem[]> {
    const scope = normalizeFilter(scopeFilter(options));
    const filter: FilterNode = options.filter
      ? { kind: "and", children: [scope, toNode(options.filter)] }
      : scope;
    return this.store.listItems({ filter, limit: options.limit, offset: options.offset });
  }

  override async update(id: string, patch: UpdatePatch, updateType = "update"): Promise<TextualMemoryItem> {
    await this.get(id);
    return super.update(id, patch, updateType);
  }

  /**
   * Hard delete of these preferences (other memories in a shared store are never touched).
   *
   * @example
   * await prefs.delete([id]); // 1
   */
  override async delete(ids: string[]): Promise<number> {
    return this.store.deleteItems((await this.getMany(ids)).map((i) => i.id));
  }

  /**
   * Hard delete of every preference, or of one user's. Returns how many.
   *
   * @example
   * await prefs.deleteAll({ userId: "maya" });
   */
  override async deleteAll(scope: Pick<PreferenceScope, "userId"> = {}): Promise<number> {
    return this.store.deleteWhere(scopeFilter(scope));
  }

  /**
   * Write MemOS's `preference_textual_memories.json` into `dir` (collections explicit_preference /
   * implicit_preference of `{id, memory, original_text, vector, payload}`); returns the path.
   *
   * @example
   * await prefs.dump("./my-cube"); // "./my-cube/preference_textual_memories.json"
   */
  override async dump(dir: string, options: { filename?: string } = {}): Promise<string> {
    const items = await this.store.listItems({ filter: scopeFilter({}) });
    const withVectors = await Promise.all(
      items.map(async (item) => {
        const v = await this.store.getEmbedding(item.id);
        return v ? { ...item, metadata: { ...item.metadata, embedding: Array.from(v) } } : item;
      }),
    );
    return writePreferenceDump(dir, options.filename ?? PREFERENCE_MEMORY_FILE, withVectors);
  }

  /**
   * Load a preference dump (ours or MemOS's), merging by id; returns how many. Vectors of another
   * dimension (MemOS's 768-d nomic ones), or all with `reembed`, are recomputed with this embedder.
   *
   * @example
   * await prefs.load("./memos-cube"); // 12
   */
  override async load(dir: string, options: { filename?: string; reembed?: boolean } = {}): Promise<number> {
    const nodes = readPreferenceDump(dir, options.filename ?? PREFERENCE_MEMORY_FILE);
    const stale = nodes.filter(
      (n) => options.reembed || n.metadata.embedding?.length !== this.embedder.dimensions,
    );
    const vectors = await embedMany(this.embedder, stale.map(embeddingText));
    stale.forEach((n, i) => {
      n.metadata.embedding = Array.from(vectors[i] ?? []);
    });
    await this.store.importAll({ nodes, edges: [] }, { mode: "merge" });
    return nodes.length;
  }
}

/** An `add` input as a preference: type checked, `preference` and `topic` filled, confidence by type. */
function asPreference(item: TextualMemoryItem, i: number): TextualMemoryItem {
  const m = item.metadata;
  const type = requirePreferenceType(
    m.preference_type ?? "explicit_preference",
    `memories[${i}].metadata.preference_type`,
  );
  const topic = typeof m.topic === "string" && m.topic.trim() ? m.topic.trim().toLowerCase() : undefined;
  return {
    ...item,
    metadata: {
      ...m,
      memory_type: PREFERENCE_MEMORY_TYPE,
      preference_type: type,
      preference: typeof m.preference === "string" && m.preference.trim() ? m.preference : item.memory,
      ...(topic ? { topic, tags: [...new Set([...m.tags, topic])] } : {}),
      confidence:
        m.confidence ?? (type === "explicit_preference" ? EXPLICIT_CONFIDENCE : IMPLICIT_CONFIDENCE),
      valid_at: m.valid_at ?? m.created_at,
    },
  };
}

function threshold(value: number, name: string): number {
  if (!Number.isFinite(value) || value < -1 || value > 1) {
    throw new ConfigError({
      message: `${name} must be a cosine between -1 and 1, got ${value}`,
      hint: `e.g. ${name}: 0.85`,
    });
  }
  return value;
}

/** A filter given raw or already normalised (the store interface takes both). */
function toNode(filter: MemoryFilter | FilterNode): FilterNode {
  const kind = (filter as { kind?: unknown }).kind;
  const isNode =
    (kind === "and" || kind === "or" || kind === "cmp") && ("children" in filter || "field" in filter);
  return isNode ? (filter as FilterNode) : normalizeFilter(filter);
}
