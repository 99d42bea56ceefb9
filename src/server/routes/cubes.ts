import { join } from "node:path";
import { createRoute, z } from "@hono/zod-openapi";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { MemCube } from "../../cube/mem-cube.js";
import { checkName, cubeIdFor } from "../../mos/names.js";
import { actingUser, requireAdmin } from "../auth.js";
import { envelope, jsonIo, jsonOut, ok } from "../schemas.js";
import type { AppContext, MemosApp } from "../types.js";

const CreateCube = z
  .looseObject({
    cube_name: z.string().min(1),
    owner_id: z.string().optional().openapi({ description: "default: the key's user" }),
    cube_id: z.string().optional().openapi({ description: "default: owner_id/cube_name" }),
    user_id: z.string().optional(),
    text_backend: z.enum(["general_text", "tree_text", "naive_text"]).optional(),
  })
  .openapi("CreateCubeRequest");
const CreatedCube = z.object({ cube_id: z.string(), cube_name: z.string(), owner_id: z.string() });

const RegisterCube = z
  .looseObject({
    mem_cube_name_or_path: z
      .string()
      .min(1)
      .openapi({ description: "a cube directory on the server, or an https URL of a .tar.gz" }),
    mem_cube_id: z.string().optional(),
    user_id: z.string().optional(),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional()
      .openapi({ description: "required for a .tar.gz URL" }),
  })
  .openapi("RegisterCubeRequest");

const Share = z
  .looseObject({
    cube_id: z.string(),
    target_user_id: z.string(),
    permission: z.enum(["read", "write"]).default("read"),
    user_id: z.string().optional(),
  })
  .openapi("ShareCubeRequest");

const CubeInfo = z
  .object({
    cube_id: z.string(),
    name: z.string(),
    owner: z.string(),
    created_at: z.string(),
    access: z.string(),
    actions: z.array(z.string()),
    shared_with: z.array(z.object({ user_id: z.string(), permission: z.string() })).optional(),
  })
  .openapi("CubeInfo");

const routes = {
  create: createRoute({
    method: "post",
    path: "/product/create_cube",
    tags: ["cubes"],
    summary: "Create a cube (MemOS)",
    ...jsonIo(CreateCube, envelope(CreatedCube), "the new cube"),
  }),
  createCube: createRoute({
    method: "post",
    path: "/cubes",
    tags: ["cubes"],
    summary: "Create a cube",
    ...jsonIo(CreateCube, envelope(CreatedCube), "the new cube"),
  }),
  register: createRoute({
    method: "post",
    path: "/product/register_cube",
    tags: ["cubes"],
    summary:
      "Register a cube directory or a remote .tar.gz (admin keys only: the server reads its disk or the network)",
    ...jsonIo(
      RegisterCube,
      envelope(z.object({ cube_id: z.string(), cube_name_or_path: z.string() })),
      "the registered cube",
    ),
  }),
  exists: createRoute({
    method: "post",
    path: "/product/exist_mem_cube_id",
    tags: ["cubes"],
    summary: "Whether a cube id exists (and the user may read it)",
    ...jsonIo(
      z.looseObject({ mem_cube_id: z.string(), user_id: z.string().optional() }),
      envelope(z.record(z.string(), z.boolean())),
      "{<cube id>: true|false}",
    ),
  }),
  list: createRoute({
    method: "get",
    path: "/cubes",
    tags: ["cubes"],
    summary: "The cubes a user may read, with access and allowed actions",
    request: { query: z.object({ user_id: z.string().optional() }) },
    ...jsonOut(envelope(z.array(CubeInfo)), "the cubes"),
  }),
  share: createRoute({
    method: "post",
    path: "/cubes/share",
    tags: ["cubes"],
    summary: "Share a cube (read or write)",
    ...jsonIo(
      Share,
      envelope(z.object({ cube_id: z.string(), user_id: z.string(), permission: z.string() })),
      "the share",
    ),
  }),
  unshare: createRoute({
    method: "post",
    path: "/cubes/unshare",
    tags: ["cubes"],
    summary: "Revoke a share",
    ...jsonIo(
      Share.omit({ permission: true }),
      envelope(z.object({ cube_id: z.string(), user_id: z.string(), revoked: z.boolean() })),
      "whether there was a share",
    ),
  }),
};

export function registerCubes(app: MemosApp, ctx: AppContext): void {
  const { mos } = ctx;

  const create = async (body: z.infer<typeof CreateCube>, userId: string) => {
    const owner = body.owner_id ?? userId;
    const cubeId = await mos.createCubeForUser(body.cube_name, owner, {
      actingUser: userId,
      cubeId: body.cube_id,
      textBackend: body.text_backend,
    });
    return ok("Cube created successfully", { cube_id: cubeId, cube_name: body.cube_name, owner_id: owner });
  };
  app.openapi(routes.create, async (c) => {
    const body = c.req.valid("json");
    return c.json(await create(body, actingUser(c.get("auth"), body.user_id)), 200);
  });
  app.openapi(routes.createCube, async (c) => {
    const body = c.req.valid("json");
    return c.json(await create(body, actingUser(c.get("auth"), body.user_id)), 200);
  });

  app.openapi(routes.register, async (c) => {
    const body = c.req.valid("json");
    const auth = c.get("auth");
    requireAdmin(auth, "registering a cube from the server's disk or the network");
    const userId = actingUser(auth, body.user_id);
    const source = body.mem_cube_name_or_path;
    let cubeId: string;
    if (/^https?:\/\//.test(source)) {
      if (!body.sha256)
        throw new InvalidInputError({
          message: "a remote cube needs its sha256",
          hint: "send sha256 (64 hex digits) of the .tar.gz",
        });
      const id = checkName(
        body.mem_cube_id ??
          cubeIdFor(
            source
              .split("/")
              .pop()
              ?.replace(/\.tar\.gz$/, "") || "remote",
            userId,
          ),
        "cube",
      );
      const cube = await MemCube.initFromRemote(source, {
        dir: join(mos.home.dir, "cubes", id.replaceAll("/", "__")),
        cubeId: id,
        userId,
        sha256: body.sha256,
      });
      cubeId = await mos.registerMemCube(cube, { userId, cubeId: id });
    } else {
      cubeId = await mos.registerMemCube(source, { userId, cubeId: body.mem_cube_id });
    }
    return c.json(ok("Cube registered successfully", { cube_id: cubeId, cube_name_or_path: source }), 200);
  });

  app.openapi(routes.exists, async (c) => {
    const body = c.req.valid("json");
    const userId = actingUser(c.get("auth"), body.user_id);
    // Only cubes the user may read "exist" for them: ids are not an oracle for others' cubes.
    const exists = mos.listCubes({ userId }).some((cube) => cube.cube_id === body.mem_cube_id);
    return c.json(ok("Successfully", { [body.mem_cube_id]: exists }), 200);
  });

  app.openapi(routes.list, async (c) => {
    const userId = actingUser(c.get("auth"), c.req.valid("query").user_id);
    const cubes = mos
      .listCubes({ userId })
      .map(({ path: _path, ...cube }) => ({ ...cube, actions: [...cube.actions] }));
    return c.json(ok("Cubes retrieved successfully", cubes), 200);
  });

  app.openapi(routes.share, async (c) => {
    const body = c.req.valid("json");
    const actor = actingUser(c.get("auth"), body.user_id);
    const share = mos.shareCubeWithUser(body.cube_id, {
      actingUser: actor,
      targetUser: body.target_user_id,
      permission: body.permission,
    });
    return c.json(ok("Cube shared successfully", share), 200);
  });

  app.openapi(routes.unshare, async (c) => {
    const body = c.req.valid("json");
    const actor = actingUser(c.get("auth"), body.user_id);
    const revoked = mos.unshareCube(body.cube_id, { actingUser: actor, targetUser: body.target_user_id });
    return c.json(
      ok(revoked ? "Share revoked" : "There was no share", {
        cube_id: body.cube_id,
        user_id: body.target_user_id,
        revoked,
      }),
      200,
    );
  });
}
