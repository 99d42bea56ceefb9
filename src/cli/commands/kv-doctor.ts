import { currentBlockHash } from "../../memory/activation/rebuild.js";
import type { MemosHome } from "../../mos/home.js";

/**
 * `memos doctor`'s line for a cube's activation memory: how many KV caches, their size, and
 * whether the newest matches the cube's memories now; undefined for a cube without `act_mem`.
 * A damaged index fails the line.
 */
export async function activationDoctorDetail(home: MemosHome, cubeId: string): Promise<string | undefined> {
  const cube = await home.openCube(cubeId);
  try {
    const kv = cube.activation;
    if (!kv) return undefined;
    const items = kv.getAll();
    if (items.length === 0) return "kv_cache: no cache built yet (run `memos kv build`)";
    const current = await currentBlockHash(kv, cube.text.store);
    const fresh = items.some((i) => i.source_hash === current);
    const tokens = items.reduce((s, i) => s + i.token_count, 0);
    const mib = items.reduce((s, i) => s + i.bytes, 0) / 2 ** 20;
    return `kv_cache: ${items.length} cache${items.length === 1 ? "" : "s"}, ${tokens} tokens, ${mib.toFixed(1)} MiB; ${fresh ? "up to date" : "stale (memories changed; chat rebuilds it, or `memos kv build`)"}`;
  } finally {
    await cube.close();
  }
}
