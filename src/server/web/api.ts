import type { Context, Env, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { MemosError } from "../../core/errors/memos-error.js";
import { logger } from "../../core/logger.js";
import { describeActivation } from "../../memory/activation/rebuild.js";
import { requireUser } from "../../mos/guard.js";
import type { MOS } from "../../mos/mos.js";
import {
  type BrowseFilters,
  edgesOf,
  fullTextSearch,
  graphOf,
  listMemories,
  overviewOf,
  toFilter,
  view,
} from "./queries.js";

/** Options of {@link mountWebApi}. */
export interface WebApiOptions<E extends Env = Env> {
  mos: MOS;
  /** The user a request acts for (the REST API's auth); throw a MemosError to refuse. Default: the MOS's user. */
  authenticate?: (c: Context<E>) => string | Promise<string>;
  /** Whether callers sign in with API keys (the browser then asks for one). Default false. */
  keysRequired?: () => boolean;
}

const STATUS: Partial<Record<string, 400 | 401 | 403 | 404 | 503>> = {
  invalid_input: 400,
  auth: 401,
  unauthorized: 401,
  access_denied: 403,
  not_found: 404,
  config: 503,
};

const Page = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const Search = z.object({
  q: z.string().max(2000).default(""),
  // Semantic search (fast/fine) is the REST API's /product/search; this one is BM25.
  mode: z.enum(["text"]).default("text"),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new InvalidInputError({
    message: `${what}: ${issue?.path.join(".") || "value"} ${issue?.message ?? "is invalid"}`,
    hint: "see the memory browser's API in README (Web memory browser)",
  });
}

/**
 * The JSON routes the memory browser uses beside the REST API (which it calls for semantic
 * search, update and delete), under `/web/api`: what `/product/*` does not offer — filtered
 * paging newest first, full-text (BM25) search, a memory's page (history, edges, what the user may
 * do), rollback, the graph and an overview. Every route resolves the caller, then opens the cube
 * through MOS with the action it needs, so the ACL decides.
 *
 * @example
 * mountWebApi(app, { mos, authenticate: (c) => c.get("auth").userId });
 */
export function mountWebApi<E extends Env>(app: Hono<E>, options: WebApiOptions<E>): void {
  const { mos } = options;
  const authenticate = options.authenticate ?? (() => mos.userId);
  const api = "/web/api";

  /** Runs a handler as the authenticated user, mapping errors to {code, message, hint}. */
  const route =
    (handler: (c: Context<E>, userId: string) => Promise<unknown>) =>
    async (c: Context<E>): Promise<Response> => {
      try {
        const userId = await authenticate(c);
        return c.json((await handler(c, userId)) as object);
      } catch (error) {
        if (MemosError.isInstance(error)) {
          const status = (error as { status?: number }).status ?? STATUS[error.code] ?? 500;
          return c.json(error.toJSON(), status as 400);
        }
        logger.error({ err: error, path: c.req.path }, "web api: unexpected error");
        return c.json({ code: "internal", message: "internal error", hint: "see the server's log" }, 500);
      }
    };
  const cubeParam = (c: Context<E>) => {
    const cube = c.req.query("cube");
    if (!cube) throw new InvalidInputError({ message: "cube is required", hint: "?cube=alice/default" });
    return cube;
  };
  const filters = (c: Context<E>): BrowseFilters => ({
    type: c.req.query("type") || undefined,
    tag: c.req.query("tag") || undefined,
    session: c.req.query("session") || undefined,
    from: c.req.query("from") || undefined,
    to: c.req.query("to") || undefined,
  });

  app.use(
    `${api}/*`,
    bodyLimit({
      maxSize: 256 * 1024,
      onError: (c) => c.json({ code: "invalid_input", message: "request body too large" }, 413),
    }),
  );

  app.get(
    `${api}/me`,
    route(async (_c, userId) => {
      const user = requireUser(mos.home.registry, userId);
      return {
        user_id: user.user_id,
        role: user.role,
        keys_required: options.keysRequired?.() ?? false,
        cubes: mos.listCubes({ userId }).map(({ path: _path, shared_with: _s, ...c }) => c),
      };
    }),
  );

  app.get(
    `${api}/memories`,
    route(async (c, userId) => {
      const cube = await mos.openCube(cubeParam(c), { userId, action: "read" });
      const filter = toFilter(filters(c));
      const page = parse(Page, c.req.query(), "paging");
      const { q, mode } = parse(Search, c.req.query(), "search");
      if (!q.trim()) return { mode: "list", ...(await listMemories(cube, filter, page)) };
      const hits = await fullTextSearch(cube, q, filter, page.limit);
      return { mode, memories: hits.map((h) => ({ ...h.item, score: h.score })), total: hits.length };
    }),
  );

  app.get(
    `${api}/memory`,
    route(async (c, userId) => {
      const id = c.req.query("id") ?? "";
      const cubeId = cubeParam(c);
      const found = await mos.get(id, { userId, cubeId });
      const cube = await mos.openCube(cubeId, { userId, action: "read" });
      const [history, edges] = await Promise.all([mos.history(id, { userId, cubeId }), edgesOf(cube, id)]);
      const actions = mos.listCubes({ userId }).find((x) => x.cube_id === cubeId)?.actions ?? ["read"];
      return { cube_id: found.cube_id, memory: view(found.memory), history, edges, actions };
    }),
  );

  app.post(
    `${api}/memory/rollback`,
    route(async (c, userId) => {
      const { version } = parse(
        z.object({ version: z.number().int().min(1) }),
        await c.req.json().catch(() => null),
        "body",
      );
      const r = await mos.rollback(c.req.query("id") ?? "", version, { userId, cubeId: cubeParam(c) });
      return { cube_id: r.cube_id, memory: view(r.memory) };
    }),
  );

  app.get(
    `${api}/graph`,
    route(async (c, userId) => {
      const cube = await mos.openCube(cubeParam(c), { userId, action: "read" });
      const { limit } = parse(
        z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }),
        c.req.query(),
        "graph",
      );
      return graphOf(cube, limit);
    }),
  );

  app.get(
    `${api}/overview`,
    route(async (c, userId) => {
      const cube = await mos.openCube(cubeParam(c), { userId, action: "read" });
      const activation = cube.activation ? await describeActivation(cube.activation, cube.text.store) : null;
      return { ...(await overviewOf(cube)), activation };
    }),
  );
}
