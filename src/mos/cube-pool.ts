import { logger } from "../core/logger.js";
import type { MemCube } from "../cube/mem-cube.js";

/**
 * Open cubes, by id, shared by every call of one MOS (or one CLI command): opening a cube
 * builds its store and embedder, so each is opened once and closed by `closeAll`. Concurrent
 * calls for the same cube share one open.
 */
export class CubePool {
  private readonly cubes = new Map<string, Promise<MemCube>>();

  constructor(private readonly openCube: (cubeId: string) => Promise<MemCube>) {}

  /** The open cube (opened on first use). No ACL check: callers pass an authorized id. */
  get(cubeId: string): Promise<MemCube> {
    let cube = this.cubes.get(cubeId);
    if (!cube) {
      cube = this.openCube(cubeId);
      this.cubes.set(cubeId, cube);
      // A failed open is not cached: the next call tries again.
      cube.catch(() => this.cubes.delete(cubeId));
    }
    return cube;
  }

  has(cubeId: string): boolean {
    return this.cubes.has(cubeId);
  }

  /** Hand an already open cube to the pool, which closes it with the others. */
  adopt(cubeId: string, cube: MemCube): void {
    this.cubes.set(cubeId, Promise.resolve(cube));
  }

  /** Close and forget one cube (after unregistering or removing it). */
  async evict(cubeId: string): Promise<void> {
    const cube = this.cubes.get(cubeId);
    this.cubes.delete(cubeId);
    if (cube) await closeQuietly(cube);
  }

  async closeAll(): Promise<void> {
    const all = [...this.cubes.values()];
    this.cubes.clear();
    await Promise.all(all.map(closeQuietly));
  }
}

async function closeQuietly(cube: Promise<MemCube>): Promise<void> {
  try {
    await (await cube).close();
  } catch (error) {
    // A cube that failed to open has nothing to close; one that fails to close is logged, since
    // close runs in `finally` blocks where throwing would hide the real error.
    logger.debug({ err: error }, "cube pool: close failed");
  }
}
