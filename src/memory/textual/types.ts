import type { FilterNode, MemoryFilter } from "../../core/schema/filter.js";
import type {
  HistoryEntry,
  TextualMemoryItem,
  TextualMemoryMetadataInput,
} from "../../core/schema/memory.js";
import type { ChatMessage } from "../../reader/index.js";
import type { RecallPath, SearchHit } from "../../retrieve/types.js";

/** What `add` accepts: a bare string, or an item whose id and metadata are optional. */
export type MemoryInput = string | { id?: string; memory: string; metadata?: TextualMemoryMetadataInput };

/** Who said it and where: user, session and cube scope of an add (becomes each memory's metadata). */
export interface AddContext {
  userId?: string;
  sessionId?: string;
  cubeId?: string;
  /** "fast" (default) windows the messages without an LLM; "fine" needs an LLM (tree memory). */
  mode?: "fast" | "fine";
  /** Tags added to every stored item (MemOS's `custom_tags`). */
  tags?: string[];
  /** Extra metadata fields set on every stored item, each filterable (MemOS's `info`). */
  info?: Record<string, unknown>;
  /** Reports embedding progress for long inputs. */
  onProgress?: (done: number, total: number) => void;
}

/** Search options shared by the text memories: top-k, filter, reference time. */
export interface TextSearchOptions {
  /** How many results (default 10, at most 1000). */
  topK?: number;
  filter?: MemoryFilter;
  /**
   * "What did we know / what held at this time?" Items valid only after it, or invalidated
   * before it, are left out, and items close to it rank slightly higher. ISO string or Date.
   */
  referenceTime?: string | Date;
  /** Include archived / deleted items too (default: only `activated`). */
  includeInactive?: boolean;
}

// One definition of a hit for every memory: the searcher's (retrieve/ sits below memory/).
export type { RecallPath, SearchHit };

/** Paging and filtering for `getAll`. */
export interface GetAllOptions {
  filter?: MemoryFilter | FilterNode;
  limit?: number;
  offset?: number;
}

/** The fields an update may change: the text and metadata. */
export interface UpdatePatch {
  memory?: string;
  metadata?: TextualMemoryMetadataInput;
}

/** A memory's versions: the current one and every earlier text with how it changed. */
export interface MemoryHistory {
  id: string;
  current: { version: number; memory: string; updated_at?: string };
  history: HistoryEntry[];
}

/** The operations every textual memory offers (MemOS's BaseTextMemory). */
export interface TextMemory {
  add(items: MemoryInput[], context?: AddContext): Promise<TextualMemoryItem[]>;
  addMessages(messages: ChatMessage[], context?: AddContext): Promise<TextualMemoryItem[]>;
  search(query: string, options?: TextSearchOptions): Promise<SearchHit[]>;
  /** Throws NotFoundError when absent. */
  get(id: string): Promise<TextualMemoryItem>;
  getMany(ids: string[]): Promise<TextualMemoryItem[]>;
  getAll(options?: GetAllOptions): Promise<TextualMemoryItem[]>;
  update(id: string, patch: UpdatePatch): Promise<TextualMemoryItem>;
  delete(ids: string[]): Promise<number>;
  deleteAll(): Promise<number>;
  history(id: string): Promise<MemoryHistory>;
  rollback(id: string, toVersion: number): Promise<TextualMemoryItem>;
  dump(dir: string): Promise<string>;
  load(dir: string): Promise<number>;
}
