import { createRoute, z } from "@hono/zod-openapi";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { type MemoryFilter, normalizeFilter } from "../../core/schema/filter.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import { parametricMemories } from "../../mos/parametric-view.js";
import { actingUser } from "../auth.js";
import { CubeMemories, envelope, Filter, jsonIo, jsonOut, MemoryItem, ok } from "../schemas.js";
import type { AppContext, MemosApp } from "../types.js";

const GetAllRequest = z
  .looseObject({
    user_id: z.string().optional(),
    memory_type: z.enum(["text_mem", "act_mem", "param_mem", "para_mem"]).default("text_mem"),
    mem_cube_ids: z.array(z.string()).optional(),
    search_query: z
      .string()
      .optional()
      .openapi({ description: "when set: the best 200 hits instead of everything" }),
  })
  .openapi("GetAllRequest");

const GetMemoryRequest = z
  .looseObject({
    mem_cube_id: z.string(),
    user_id: z.string().optional(),
    include_preference: z.boolean().default(true),
    filter: Filter.optional(),
    page: z
      .number()
      .int()
      .min(1)
      .optional()
      .openapi({ description: "from 1; with neither page nor page_size: everything" }),
    page_size: z.number().int().min(1).max(1000).optional(),
  })
  .openapi("GetMemoryRequest");

const ByIdsRequest = z
  .union([
    z.array(z.string()).min(1),
    z.looseObject({
      memory_ids: z.array(z.string()).min(1),
      user_id: z.string().optional(),
      page: z.number().int().min(1).optional(),
      page_size: z.number().int().min(1).max(1000).optional(),
    }),
  ])
  .openapi("GetMemoryByIdsRequest", {
    description: "a list of ids (as MemOS), or {memory_ids, page, page_size}",
  });

const UpdateRequest = z
  .looseObject({
    memory_id: z.string(),
    user_id: z.string().optional(),
    mem_cube_id: z.string().optional(),
    memory: z.string().min(1).optional(),
    content: z.string().min(1).optional().openapi({ description: "alias of memory (MemOS client)" }),
    metadata: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: "fields to change, e.g. tags" }),
  })
  .openapi("UpdateMemoryRequest");

const DeleteRequest = z
  .looseObject({
    user_id: z.string().optional(),
    writable_cube_ids: z.array(z.string()).min(1).optional(),
    mem_cube_id: z.string().optional(),
    memory_ids: z.array(z.string()).min(1).optional(),
    filter: Filter.optional(),
    session_id: z
      .string()
      .optional()
      .openapi({ description: "with filter deletion: only this session's memories" }),
  })
  .openapi("DeleteMemoryRequest");

const Deleted = z.object({
  status: z.literal("success"),
  deleted: z.array(z.object({ cube_id: z.string(), deleted: z.array(z.string()) })),
});

const routes = {
  getAll: createRoute({
    method: "post",
    path: "/product/get_all",
    tags: ["memories"],
    summary: "Every memory of the user's cubes (or the best 200 for search_query)",
    ...jsonIo(GetAllRequest, envelope(z.array(CubeMemories)), "memories per cube"),
  }),
  getMemory: createRoute({
    method: "post",
    path: "/product/get_memory",
    tags: ["memories"],
    summary: "A page of a cube's memories",
    ...jsonIo(
      GetMemoryRequest,
      envelope(
        z.object({
          text_mem: z.array(CubeMemories),
          pref_mem: z.array(CubeMemories),
          tool_mem: z.array(CubeMemories),
          skill_mem: z.array(CubeMemories),
        }),
      ),
      "memories of the cube",
    ),
  }),
  getById: createRoute({
    method: "get",
    path: "/product/get_memory/{memory_id}",
    tags: ["memories"],
    summary: "One memory by id (looked for in the cubes the user may read)",
    request: {
      params: z.object({ memory_id: z.string().min(1) }),
      query: z.object({ user_id: z.string().optional(), mem_cube_id: z.string().optional() }),
    },
    ...jsonOut(envelope(MemoryItem.extend({ cube_id: z.string() })), "the memory"),
  }),
  byIds: createRoute({
    method: "post",
    path: "/product/get_memory_by_ids",
    tags: ["memories"],
    summary: "Memories by ids (those the user may read), paged",
    ...jsonIo(
      ByIdsRequest,
      envelope(
        z.object({ memories: z.array(MemoryItem), total: z.number().int(), missing: z.array(z.string()) }),
      ),
      "the memories found",
    ),
  }),
  update: createRoute({
    method: "post",
    path: "/product/update_memory",
    tags: ["memories"],
    summary: "Change a memory's text or metadata (the old text goes to its history)",
    ...jsonIo(
      UpdateRequest,
      envelope(MemoryItem.extend({ cube_id: z.string() })),
      "the memory after the update",
    ),
  }),
  remove: createRoute({
    method: "post",
    path: "/product/delete_memory",
    tags: ["memories"],
    summary: "Delete memories by ids, or every memory matching a filter",
    ...jsonIo(DeleteRequest, envelope(Deleted), "what was deleted"),
  }),
};

export function registerMemories(app: MemosApp, ctx: AppContext): void {
  const { mos } = ctx;

  app.openapi(routes.getAll, async (c) => {
    const body = c.req.valid("json");
    const userId = actingUser(c.get("auth"), body.user_id);
    if (body.memory_type === "para_mem" || body.memory_type === "param_mem") {
      const data = await parametricMemories(mos, userId, body.mem_cube_ids);
      return c.json(ok("Memories retrieved successfully", data), 200);
    }
    if (body.memory_type !== "text_mem") return c.json(ok(`no ${body.memory_type} memories`, []), 200);
    const cubes = body.search_query
      ? (
          await mos.search({
            query: body.search_query,
            userId,
            cubeIds: body.mem_cube_ids,
            topK: 200,
            prefTopK: 0,
          })
        ).text_mem
      : body.mem_cube_ids
        ? await allCubes(body.mem_cube_ids, (id) => mos.getAll({ userId, cubeId: id }))
        : (await mos.getAll({ userId })).text_mem;
    const data = cubes.map((t) => ({
      cube_id: t.cube_id,
      memories: t.memories,
      total_nodes: t.total_nodes ?? t.memories.length,
    }));
    return c.json(ok("Memories retrieved successfully", data), 200);
  });

  app.openapi(routes.getMemory, async (c) => {
    const body = c.req.valid("json");
    const userId = actingUser(c.get("auth"), body.user_id);
    const filter = body.filter ? (checked(body.filter) as MemoryFilter) : undefined;
    const paged = body.page !== undefined || body.page_size !== undefined;
    const size = body.page_size ?? 100;
    const window = paged ? { limit: size, offset: ((body.page ?? 1) - 1) * size } : {};
    const found = await mos.getAll({ userId, cubeId: body.mem_cube_id, filter, ...window });
    const text = found.text_mem.map((t) => ({
      cube_id: t.cube_id,
      memories: t.memories,
      total_nodes: t.total_nodes ?? t.memories.length,
    }));
    const pref = [];
    if (body.include_preference) {
      const cube = await mos.openCube(body.mem_cube_id, { userId, action: "read" });
      const memories = cube.preference ? await cube.preference.getAll(window) : [];
      pref.push({
        cube_id: body.mem_cube_id,
        memories,
        total_nodes: paged && cube.preference ? await cube.preference.store.count() : memories.length,
      });
    }
    return c.json(
      ok("Memories retrieved successfully", { text_mem: text, pref_mem: pref, tool_mem: [], skill_mem: [] }),
      200,
    );
  });

  app.openapi(routes.getById, async (c) => {
    const { memory_id } = c.req.valid("param");
    const query = c.req.valid("query");
    const userId = actingUser(c.get("auth"), query.user_id);
    const found = await mos.get(memory_id, { userId, cubeId: query.mem_cube_id });
    return c.json(
      ok("Memory retrieved successfully", { ...withoutEmbedding(found.memory), cube_id: found.cube_id }),
      200,
    );
  });

  app.openapi(routes.byIds, async (c) => {
    const body = c.req.valid("json");
    const request = Array.isArray(body) ? { memory_ids: body } : body;
    const userId = actingUser(c.get("auth"), "user_id" in request ? request.user_id : undefined);
    const ids = [...new Set(request.memory_ids)];
    const size = ("page_size" in request && request.page_size) || ids.length;
    const page = ("page" in request && request.page) || 1;
    const memories: TextualMemoryItem[] = [];
    const missing: string[] = [];
    for (const id of ids.slice((page - 1) * size, page * size)) {
      try {
        memories.push(withoutEmbedding((await mos.get(id, { userId })).memory));
      } catch (error) {
        if ((error as { code?: string }).code !== "not_found") throw error;
        missing.push(id);
      }
    }
    return c.json(ok("Memories retrieved successfully", { memories, total: ids.length, missing }), 200);
  });

  app.openapi(routes.update, async (c) => {
    const body = c.req.valid("json");
    const userId = actingUser(c.get("auth"), body.user_id);
    const memory = body.memory ?? body.content;
    if (memory === undefined && body.metadata === undefined)
      throw new InvalidInputError({
        message: "nothing to update",
        hint: 'send "memory" (the new text) and/or "metadata"',
      });
    const updated = await mos.update(
      body.memory_id,
      { memory, metadata: body.metadata },
      { userId, cubeId: body.mem_cube_id },
    );
    return c.json(
      ok("Memory updated successfully", { ...withoutEmbedding(updated.memory), cube_id: updated.cube_id }),
      200,
    );
  });

  app.openapi(routes.remove, async (c) => {
    const body = c.req.valid("json");
    const userId = actingUser(c.get("auth"), body.user_id);
    const cubeIds = body.writable_cube_ids ?? (body.mem_cube_id ? [body.mem_cube_id] : undefined);
    if (body.memory_ids) {
      const scopes = cubeIds ?? [undefined];
      if (scopes.length > 1)
        throw new InvalidInputError({
          message: "delete by memory_ids takes at most one cube",
          hint: "leave writable_cube_ids out: each id is found in the cubes you may read",
        });
      const deleted = await mos.delete(body.memory_ids, { userId, cubeId: scopes[0] });
      return c.json(ok("Memories deleted successfully", { status: "success" as const, deleted }), 200);
    }
    const conditions = {
      ...(body.filter ?? {}),
      ...(body.session_id ? { session_id: body.session_id } : {}),
    };
    if (Object.keys(conditions).length === 0)
      throw new InvalidInputError({
        message: "delete needs memory_ids or a non-empty filter",
        hint: 'e.g. "filter": {"session_id": "s1"}',
      });
    const filter = checked(conditions) as MemoryFilter;
    const deleted = [];
    for (const cubeId of cubeIds ?? [mos.defaultCubeOf(userId)]) {
      // Check delete access before listing, so a denied cube reveals nothing.
      await mos.openCube(cubeId, { userId, action: "delete" });
      const ids = (await mos.getAll({ userId, cubeId, filter })).text_mem.flatMap((t) =>
        t.memories.map((m) => m.id),
      );
      if (ids.length > 0) deleted.push(...(await mos.delete(ids, { userId, cubeId })));
      else deleted.push({ cube_id: cubeId, deleted: [] as string[] });
    }
    return c.json(ok("Memories deleted successfully", { status: "success" as const, deleted }), 200);
  });
}

async function allCubes<T>(ids: string[], get: (id: string) => Promise<{ text_mem: T[] }>): Promise<T[]> {
  const out: T[] = [];
  for (const id of [...new Set(ids)]) out.push(...(await get(id)).text_mem);
  return out;
}

function checked(filter: Record<string, unknown>): Record<string, unknown> {
  normalizeFilter(filter);
  return filter;
}

function withoutEmbedding(item: TextualMemoryItem): TextualMemoryItem {
  const { embedding: _drop, ...metadata } = item.metadata;
  return { ...item, metadata: metadata as TextualMemoryItem["metadata"] };
}
