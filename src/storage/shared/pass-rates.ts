/**
 * How selective each search filter has been lately: the share of nearest candidates (HNSW) that
 * passed it. A store sizes its over-fetch from it (see `annFilterPolicy` and
 * `keywordFilterPolicy` in search-strategy.ts): most searches filter on status and user, which
 * nearly every candidate passes, and fetching for a filter that passes 1 in 4 cost them half
 * their time at 100k memories. Only the fetch size depends on it, never the results: a short
 * round grows, then falls back to an exact path.
 *
 * @example
 * const rates = new FilterPassRates();
 * rates.note(key, 0.98);
 * annFilterPolicy(rates.get(key)).factor; // 3
 */
export class FilterPassRates {
  private readonly rates = new Map<string, number>();

  constructor(private readonly capacity = 256) {}

  /** The remembered share for this filter key; undefined when not seen yet, or with no filter. */
  get(key: string | undefined): number | undefined {
    return key === undefined ? undefined : this.rates.get(key);
  }

  /** A search saw `rate` of its candidates pass the filter (nothing to note without a filter). */
  note(key: string | undefined, rate: number): void {
    if (key === undefined || !(rate >= 0 && rate <= 1)) return;
    const last = this.rates.get(key);
    // A drop counts at once (it is what makes a round fall short), a rise only halfway: how
    // many pass varies with the query.
    const next = last === undefined || rate < last ? rate : (last + rate) / 2;
    // Cleared when full rather than LRU: cheap, and a cube uses a handful of filters.
    if (last === undefined && this.rates.size >= this.capacity) this.rates.clear();
    this.rates.set(key, next);
  }
}
