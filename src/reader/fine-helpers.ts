/** Small helpers of the fine reader: tag and value clean-up, bounded concurrency. */
import { LLMOutputError, type MemosError, ProviderError } from "../core/errors/index.js";

/** Model tags: lowercase, single-spaced, unique; "mode:*" is ours to set. */
export function cleanTags(tags: string[], own: string[]): string[] {
  const out = tags
    .map((t) => t.trim().toLowerCase().replace(/\s+/g, " "))
    .filter((t) => t && !t.startsWith("mode:"));
  return [...new Set([...out, ...own])];
}

/** Model values, trimmed, blank and repeated ones dropped. */
export function uniqueByValue<T extends { value: string }>(memories: T[]): T[] {
  const seen = new Set<string>();
  return memories.filter((m) => {
    const k = m.value.trim().toLowerCase().replace(/\s+/g, " ");
    if (!k || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Map with at most `limit` calls in flight, results in input order. */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A failure of the model (bad output, provider error): the window falls back to fast items. */
export const isModelFailure = (e: unknown): e is MemosError =>
  LLMOutputError.isInstance(e) || ProviderError.isInstance(e);
