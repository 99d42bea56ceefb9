/** A piece of SQL with `?` placeholders and its parameters, in order (as the SQLite store builds them). */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

export const TRUE: SqlFragment = { sql: "true", params: [] };
export const FALSE: SqlFragment = { sql: "false", params: [] };

/** Join fragments with an operator, keeping parameters in SQL text order. */
export function joinAll(parts: SqlFragment[], op: "AND" | "OR", empty: SqlFragment): SqlFragment {
  if (parts.length === 0) return empty;
  if (parts.length === 1) return parts[0] as SqlFragment;
  return { sql: `(${parts.map((p) => p.sql).join(` ${op} `)})`, params: parts.flatMap((p) => p.params) };
}

/**
 * Turn `?` placeholders into PostgreSQL's `$1, $2, ...`. The SQL text is ours alone (every value
 * a user gives is a parameter), and none of it uses `?` otherwise: no jsonb `?` operators.
 */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** A float32 vector as pgvector's text form; each float32 prints as the double that equals it, so it round-trips exactly. */
export function vectorText(v: Float32Array): string {
  return `[${Array.prototype.join.call(v, ",")}]`;
}

/** pgvector's text form back to a Float32Array. */
export function parseVector(text: string): Float32Array {
  return Float32Array.from(JSON.parse(text) as number[]);
}
