/**
 * What the store's modules (items, search, graph, portability) run on: one connection's queries
 * (the store picks it: a pool, a transaction's client), and the cube they are scoped to.
 */
export interface Session {
  /** Run one statement; `?` placeholders (see sql.ts `numbered`). */
  query<R = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number }>;
}

/** The cube a store holds: its key in every table and what is known of it. */
export interface CubeState {
  readonly cubeId: string;
  /** `memos_cubes.cube`: the small integer every row of this cube carries. */
  readonly cube: number;
  /** The vector dimension once fixed (cached; re-read after a rollback or while unknown). */
  dims: number | undefined;
  /** Whether the cube's HNSW index exists (see schema.ts annIndexDdl). */
  annIndex: boolean;
  /** Build the HNSW index once the cube holds this many vectors (Infinity: never). */
  readonly annThreshold: number;
}
