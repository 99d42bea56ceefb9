/**
 * A Qdrant stand-in for tests: the HTTP fixture server on 127.0.0.1 answering the REST calls the
 * store makes (collections, payload indexes, points: batch, retrieve, scroll, count, search) from
 * an in-memory model, with Qdrant's documented semantics for what the store uses: `match` on an
 * array matches any element, `text` needs every query word in a full-text-indexed field, Cosine
 * collections keep vectors normalised and score by dot product. Every request stays recorded, so
 * tests assert URLs, bodies and filters as well as outcomes. No Qdrant server can run on the CI
 * machines; this is what stands in for one.
 */
import {
  type FixtureServer,
  type RecordedRequest,
  startFixtureServer,
} from "../../testing/fixture-server.js";

type Payload = Record<string, unknown>;
interface Point {
  id: string;
  payload: Payload;
  vectors: Record<string, number[]>;
}
interface Collection {
  vectors: Record<string, { size: number; distance: string }>;
  points: Map<string, Point>;
}
type Condition = { key: string; match: { value?: unknown; any?: unknown[]; text?: string } };
type Filter = { must?: Condition[]; should?: Condition[]; must_not?: Condition[] };

const ok = (result: unknown) => ({ body: { result, status: "ok", time: 0 } });
const words = (s: string) =>
  s
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

function valuesAt(payload: Payload, key: string): unknown[] {
  let current: unknown = payload;
  for (const part of key.split(".")) {
    if (typeof current !== "object" || current === null || Array.isArray(current)) return [];
    current = (current as Payload)[part];
  }
  if (current === undefined || current === null) return [];
  return Array.isArray(current) ? current : [current];
}

function holds(payload: Payload, c: Condition): boolean {
  const values = valuesAt(payload, c.key);
  if ("value" in c.match) return values.some((v) => v === c.match.value);
  if (c.match.any) return values.some((v) => c.match.any?.includes(v));
  const wanted = words(c.match.text ?? "");
  return values.some((v) => typeof v === "string" && wanted.every((w) => words(v).includes(w)));
}

function passes(payload: Payload, f: Filter | undefined): boolean {
  if (!f) return true;
  if (!(f.must ?? []).every((c) => holds(payload, c))) return false;
  if (f.should && f.should.length > 0 && !f.should.some((c) => holds(payload, c))) return false;
  return !(f.must_not ?? []).some((c) => holds(payload, c));
}

function normalise(v: number[]): number[] {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => Math.fround(x / n));
}

function selectPayload(p: Point, selector: unknown): Payload | null {
  if (selector === false || selector === undefined) return null;
  if (selector === true) return p.payload;
  if (Array.isArray(selector))
    return Object.fromEntries(Object.entries(p.payload).filter(([k]) => selector.includes(k)));
  const exclude = (selector as { exclude?: string[] }).exclude ?? [];
  return Object.fromEntries(Object.entries(p.payload).filter(([k]) => !exclude.includes(k)));
}

function selectVectors(p: Point, selector: unknown): Record<string, number[]> | null {
  if (!selector) return null;
  const names = selector === true ? Object.keys(p.vectors) : (selector as string[]);
  return Object.fromEntries(names.filter((n) => p.vectors[n]).map((n) => [n, p.vectors[n] as number[]]));
}

function view(p: Point, body: Payload, extra: Payload = {}) {
  return {
    id: p.id,
    ...extra,
    payload: selectPayload(p, body.with_payload ?? true),
    vector: selectVectors(p, body.with_vector),
  };
}

/** A fake Qdrant on loopback: `url` for the client, `requests` to assert on, `collections` to inspect. */
export interface FakeQdrant {
  url: string;
  server: FixtureServer;
  requests: RecordedRequest[];
  collections: Map<string, Collection>;
  /** Make the next batch report this status instead of "completed" (write acknowledgement tests). */
  failNextBatch(status: string): void;
  /** Drop named vectors from the next batch's upserts (a server that silently loses vectors). */
  loseNextVectors(): void;
  close(): Promise<void>;
}

/** Start the fake Qdrant. */
export async function startFakeQdrant(): Promise<FakeQdrant> {
  const server = await startFixtureServer();
  const collections = new Map<string, Collection>();
  let batchStatus: string | undefined;
  let loseVectors = false;
  const C = "/collections/([^/]+)";
  const coll = (r: RecordedRequest) => {
    const name = decodeURIComponent(/^\/collections\/([^/]+)/.exec(r.path)?.[1] ?? "");
    const c = collections.get(name);
    if (!c) throw new Error(`fake qdrant: no collection ${name}`);
    return c;
  };
  const body = (r: RecordedRequest) => (r.body ?? {}) as Payload & Filter & { filter?: Filter };
  const notFound = {
    status: 404,
    body: { status: { error: "Not found: Collection doesn't exist!" }, time: 0 },
  };

  server.route({ method: "GET", path: new RegExp(`^${C}/exists$`) }, (r) => {
    const name = decodeURIComponent(/^\/collections\/([^/]+)/.exec(r.path)?.[1] ?? "");
    return ok({ exists: collections.has(name) });
  });
  server.route({ method: "GET", path: new RegExp(`^${C}$`) }, (r) => {
    const name = decodeURIComponent(/^\/collections\/([^/]+)/.exec(r.path)?.[1] ?? "");
    const c = collections.get(name);
    if (!c) return notFound;
    return ok({ status: "green", points_count: c.points.size, config: { params: { vectors: c.vectors } } });
  });
  server.route({ method: "PUT", path: new RegExp(`^${C}$`) }, (r) => {
    const name = decodeURIComponent(/^\/collections\/([^/]+)/.exec(r.path)?.[1] ?? "");
    collections.set(name, { vectors: body(r).vectors as Collection["vectors"], points: new Map() });
    return ok(true);
  });
  server.route({ method: "PUT", path: new RegExp(`^${C}/index$`) }, () =>
    ok({ operation_id: 0, status: "completed" }),
  );
  server.route({ method: "POST", path: new RegExp(`^${C}/points/batch$`) }, (r) => {
    const c = coll(r);
    const results = (body(r).operations as Payload[]).map((op, i) => {
      if (op.upsert) {
        for (const p of (op.upsert as { points: Point[] & { vector: Record<string, number[]> }[] }).points) {
          const vectors = loseVectors
            ? {}
            : Object.fromEntries(Object.entries(p.vector ?? {}).map(([n, v]) => [n, normalise(v)]));
          c.points.set(p.id, { id: p.id, payload: p.payload, vectors });
        }
      } else if (op.delete) {
        for (const id of (op.delete as { points: string[] }).points) c.points.delete(id);
      } else if (op.set_payload) {
        const { payload, points } = op.set_payload as { payload: Payload; points: string[] };
        for (const id of points) {
          const p = c.points.get(id);
          if (p) p.payload = { ...p.payload, ...payload };
        }
      } else throw new Error(`fake qdrant: unsupported operation ${Object.keys(op).join()}`);
      return { operation_id: i, status: batchStatus ?? "completed" };
    });
    batchStatus = undefined;
    loseVectors = false;
    return ok(results);
  });
  server.route({ method: "POST", path: new RegExp(`^${C}/points$`) }, (r) => {
    const c = coll(r);
    const b = body(r);
    return ok(
      (b.ids as string[]).flatMap((id) => (c.points.has(id) ? [view(c.points.get(id) as Point, b)] : [])),
    );
  });
  server.route({ method: "POST", path: new RegExp(`^${C}/points/scroll$`) }, (r) => {
    const c = coll(r);
    const b = body(r);
    const all = [...c.points.values()]
      .filter((p) => passes(p.payload, b.filter))
      .sort((x, y) => (x.id < y.id ? -1 : 1));
    const start = b.offset === undefined ? 0 : all.findIndex((p) => p.id === b.offset);
    const limit = (b.limit as number | undefined) ?? 10;
    const page = all.slice(start, start + limit);
    return ok({ points: page.map((p) => view(p, b)), next_page_offset: all[start + limit]?.id ?? null });
  });
  server.route({ method: "POST", path: new RegExp(`^${C}/points/count$`) }, (r) => {
    const c = coll(r);
    return ok({ count: [...c.points.values()].filter((p) => passes(p.payload, body(r).filter)).length });
  });
  server.route({ method: "POST", path: new RegExp(`^${C}/points/search$`) }, (r) => {
    const c = coll(r);
    const b = body(r);
    const { name, vector } = b.vector as { name: string; vector: number[] };
    const q = normalise(vector);
    const scored = [...c.points.values()]
      .filter((p) => p.vectors[name] && passes(p.payload, b.filter))
      .map((p) => ({
        p,
        score: (p.vectors[name] as number[]).reduce((s, x, i) => s + x * (q[i] as number), 0),
      }))
      .sort((x, y) => y.score - x.score)
      .slice(0, b.limit as number);
    return ok(scored.map(({ p, score }) => view(p, b, { version: 0, score })));
  });

  return {
    url: server.url,
    server,
    requests: server.requests,
    collections,
    failNextBatch: (status) => {
      batchStatus = status;
    },
    loseNextVectors: () => {
      loseVectors = true;
    },
    close: () => server.close(),
  };
}
