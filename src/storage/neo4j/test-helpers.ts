/**
 * A reference evaluator for the Cypher boolean expressions the filter compiler writes, with
 * Cypher's precedence (OR < AND < NOT < comparison) and three-valued logic as the Cypher manual
 * states it: null propagates through comparisons, values of different types are unequal for `=`
 * and incomparable (null) for `<`/`>`, `IN` is null when no element matches and one is null.
 * It parses the generated TEXT, so a misplaced parenthesis fails a test as it would fail on a
 * server. No Neo4j server can run on the CI machines; this is what stands in for one.
 */
import type { Neo4jConnection, OpenTransaction } from "./connection.js";
import type { CypherQuery } from "./cypher-filter.js";
import type { Row } from "./server.js";

type Value = unknown;
type Env = { props: Record<string, unknown>; params: Record<string, unknown> };

const TOKEN =
  /\s*(\$[a-zA-Z0-9_]+|[a-zA-Z_][a-zA-Z0-9_]*|'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?|<>|<=|>=|::|[()[\].,=<>])/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) {
      if (/^\s*$/.test(text.slice(start))) break;
      throw new Error(`cannot tokenize at ${text.slice(start, start + 20)}`);
    }
    out.push(m[1] as string);
  }
  return out;
}

const typeOf = (v: Value) => (Array.isArray(v) ? "list" : typeof v);

function equal(a: Value, b: Value): boolean | null {
  if (a === null || b === null) return null;
  if (typeOf(a) !== typeOf(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    let result: boolean | null = true;
    for (let i = 0; i < a.length; i++) {
      const e = equal(a[i], b[i]);
      if (e === false) return false;
      if (e === null) result = null;
    }
    return result;
  }
  return a === b;
}

function order(a: Value, b: Value): number | null {
  if (a === null || b === null || typeOf(a) !== typeOf(b)) return null;
  if (typeof a === "number" || typeof a === "string" || typeof a === "boolean") {
    return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  }
  return null;
}

function inList(x: Value, list: Value): boolean | null {
  if (list === null) return null;
  if (!Array.isArray(list)) throw new Error("IN needs a list");
  let sawNull = false;
  for (const e of list) {
    const r = equal(x, e);
    if (r === true) return true;
    if (r === null) sawNull = true;
  }
  return sawNull ? null : false;
}

const and = (a: Value, b: Value) =>
  a === false || b === false ? false : a === null || b === null ? null : true;
const or = (a: Value, b: Value) =>
  a === true || b === true ? true : a === null || b === null ? null : false;

/** Evaluate a Cypher boolean over one node `n` (its properties) with the query's parameters. */
export function evaluateCypher(text: string, env: Env): Value {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (k = 0) => tokens[i + k];
  const upper = (k = 0) => peek(k)?.toUpperCase();
  const take = (want?: string) => {
    const t = tokens[i++];
    if (want !== undefined && t?.toUpperCase() !== want)
      throw new Error(`expected ${want}, got ${t} in ${text}`);
    return t as string;
  };

  function expr(): Value {
    let left = conj();
    while (upper() === "OR") {
      take();
      left = or(left, conj());
    }
    return left;
  }
  function conj(): Value {
    let left = negation();
    while (upper() === "AND") {
      take();
      left = and(left, negation());
    }
    return left;
  }
  function negation(): Value {
    if (upper() === "NOT") {
      take();
      const v = negation();
      return v === null ? null : !v;
    }
    return comparison();
  }
  function comparison(): Value {
    const left = atom();
    const op = upper();
    if (op === "IS") {
      take();
      if (peek() === "::") {
        take();
        const type = take();
        take("NOT");
        take("NULL");
        if (type !== "STRING") throw new Error(`type ${type} not supported`);
        return typeof left === "string";
      }
      if (upper() === "NOT") {
        take();
        take("NULL");
        return left !== null;
      }
      take("NULL");
      return left === null;
    }
    if (op === "=" || op === "<>") {
      take();
      const e = equal(left, atom());
      return op === "=" ? e : e === null ? null : !e;
    }
    if (op === "<" || op === ">" || op === "<=" || op === ">=") {
      take();
      const c = order(left, atom());
      if (c === null) return null;
      return op === "<" ? c < 0 : op === ">" ? c > 0 : op === "<=" ? c <= 0 : c >= 0;
    }
    if (op === "IN") {
      take();
      return inList(left, atom());
    }
    if (op === "CONTAINS") {
      take();
      const right = atom();
      if (typeof left !== "string" || typeof right !== "string") return null;
      return left.includes(right);
    }
    return left;
  }
  function atom(): Value {
    const t = take();
    const u = t.toUpperCase();
    if (t === "(") {
      const v = expr();
      take(")");
      return v;
    }
    if (u === "TRUE") return true;
    if (u === "FALSE") return false;
    if (u === "NULL") return null;
    if (t.startsWith("$")) return env.params[t.slice(1)] ?? null;
    if (u === "COALESCE") {
      take("(");
      const values = [expr()];
      while (peek() === ",") {
        take();
        values.push(expr());
      }
      take(")");
      return values.find((v) => v !== null) ?? null;
    }
    if (u === "CASE") {
      take("WHEN");
      const cond = expr();
      take("THEN");
      const then = expr();
      take("ELSE");
      const otherwise = expr();
      take("END");
      return cond === true ? then : otherwise;
    }
    if (t === "n") {
      if (peek() === ".") {
        take();
        return env.props[take()] ?? null;
      }
      take("[");
      const key = atom();
      take("]");
      return env.props[key as string] ?? null;
    }
    throw new Error(`unexpected token ${t} in ${text}`);
  }

  const value = expr();
  if (i !== tokens.length)
    throw new Error(`trailing tokens after ${tokens.slice(0, i).join(" ")} in ${text}`);
  return value;
}

// ---------------------------------------------------------------- a scripted connection

/** A query the fake saw, and where it ran. */
export interface SeenQuery extends CypherQuery {
  via: "read" | "write" | "tx" | "schema" | "system";
}

/**
 * A Neo4jConnection that answers from rules (first rule whose pattern matches the Cypher text)
 * and records every query, commit and rollback, for tests of what the store sends and when.
 */
export class ScriptedConnection implements Neo4jConnection {
  readonly seen: SeenQuery[] = [];
  readonly events: string[] = [];
  database = "neo4j";
  private readonly rules: [RegExp, (q: CypherQuery) => Row[]][] = [];

  constructor(server: { version?: string; edition?: string; databases?: string[] } = {}) {
    const databases = server.databases ?? ["neo4j", "system"];
    this.on(/dbms\.components/, () => [
      {
        name: "Neo4j Kernel",
        versions: [server.version ?? "5.26.0"],
        edition: server.edition ?? "community",
      },
    ]);
    this.on(/SHOW DATABASES/, (q) =>
      databases.includes(q.params.name as string) ? [{ name: q.params.name }] : [],
    );
    this.on(/MERGE \(c:MemosCube/, () => [{ dimensions: null }]);
    this.on(/SHOW INDEXES/, () => []);
  }

  /** Answer queries whose text matches `pattern` (later rules win). */
  on(pattern: RegExp, answer: (q: CypherQuery) => Row[]): this {
    this.rules.unshift([pattern, answer]);
    return this;
  }

  private answer(via: SeenQuery["via"], q: CypherQuery): Row[] {
    this.seen.push({ ...q, via });
    return this.rules.find(([p]) => p.test(q.text))?.[1](q) ?? [];
  }

  readonly system = async (q: CypherQuery) => this.answer("system", q);
  async schema(q: CypherQuery) {
    return this.answer("schema", q);
  }
  useDatabase(name: string): void {
    this.database = name;
    this.events.push(`use ${name}`);
  }
  async read<T>(work: (run: (q: CypherQuery) => Promise<Row[]>) => Promise<T>): Promise<T> {
    return work(async (q) => this.answer("read", q));
  }
  async write<T>(work: (run: (q: CypherQuery) => Promise<Row[]>) => Promise<T>): Promise<T> {
    try {
      const result = await work(async (q) => this.answer("write", q));
      this.events.push("commit");
      return result;
    } catch (error) {
      this.events.push("rollback");
      throw error;
    }
  }
  async begin(): Promise<OpenTransaction> {
    this.events.push("begin");
    return {
      run: async (q) => this.answer("tx", q),
      commit: async () => {
        this.events.push("commit");
      },
      rollback: async () => {
        this.events.push("rollback");
      },
    };
  }
  async close(): Promise<void> {
    this.events.push("close");
  }
}
