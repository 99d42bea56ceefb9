import { GeneralTextMemory } from "./general.js";
import { wordOverlapSearch } from "./naive.js";
import type { SearchHit, TextSearchOptions } from "./types.js";

/**
 * The naive memory of a cube (`text_mem.backend: "naive_text"`, as in MemOS): memories persist in
 * the cube's store like a general memory's, but search is MemOS's naive word overlap over every
 * memory — no vectors, no ranking model, O(n) per query. For small cubes and exact-word recall.
 *
 * @example
 * const mem = new NaiveStoreTextMemory({ store, embedder });
 * await mem.add(["Alice lives in Paris"]);
 * (await mem.search("where does Alice live"))[0]?.item.memory; // "Alice lives in Paris"
 */
export class NaiveStoreTextMemory extends GeneralTextMemory {
  override async search(query: string, options: TextSearchOptions = {}): Promise<SearchHit[]> {
    const status = options.includeInactive ? undefined : { status: "activated" };
    return wordOverlapSearch(await this.store.listItems({ filter: status }), query, options);
  }
}
