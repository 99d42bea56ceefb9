import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { AccessDeniedError } from "../../core/errors/access-denied-error.js";
import { InvalidInputError } from "../../core/errors/invalid-input-error.js";
import { requireUser } from "../../mos/guard.js";
import { isAdminRole } from "../../mos/roles.js";
import {
  actingUser,
  checkLocalPath,
  cubeIdArg as cubeId,
  type McpSession,
  runTool,
  toolError,
  toolOk,
  userIdArg as userId,
} from "./session.js";

/** The user, cube and scheduler tools (MemOS's names and argument names). */
export function registerAdminTools(server: McpServer, session: McpSession): void {
  const { mos } = session;

  server.registerTool(
    "create_user",
    {
      title: "Create user",
      description: "Create a user (with a default cube). Only root and admins may; only root creates admins.",
      inputSchema: {
        user_id: z.string().min(1).describe("Id of the new user (letters, digits, . _ @ -)"),
        role: z.string().optional().describe('"USER" (default), "ADMIN" or "GUEST" (any case)'),
        user_name: z.string().optional().describe("Display name (default: user_id)"),
      },
    },
    (args) =>
      runTool("create_user", async () => {
        const role = (args.role ?? "user").toLowerCase();
        const user = await mos.createUser(args.user_id, {
          role,
          name: args.user_name,
          actingUser: session.userId,
        });
        return toolOk(`User created successfully: ${user.user_id}`, {
          user_id: user.user_id,
          user_name: user.name,
          role: user.role,
          default_cube: user.default_cube,
        });
      }),
  );

  server.registerTool(
    "create_cube",
    {
      title: "Create cube",
      description:
        'Create a memory cube "owner_id/cube_name" (the owner may, and root and admins for anyone).',
      inputSchema: {
        cube_name: z.string().min(1).describe("Name of the cube within its owner's cubes"),
        owner_id: z.string().min(1).describe("The user who will own it"),
        cube_path: z
          .string()
          .optional()
          .describe("Not supported: cubes live in MEMOS_HOME (use register_cube for a directory)"),
        cube_id: z.string().optional().describe("Custom cube id (default owner_id/cube_name)"),
      },
    },
    (args) =>
      runTool("create_cube", async () => {
        if (args.cube_path !== undefined)
          throw new InvalidInputError({
            message: "cube_path is not supported: new cubes live in MEMOS_HOME",
            hint: "omit cube_path; to use an existing cube directory call register_cube",
          });
        const id = await mos.createCubeForUser(args.cube_name, args.owner_id, {
          actingUser: session.userId,
          cubeId: args.cube_id,
        });
        return toolOk(`Cube created successfully: ${id}`, { cube_id: id, owner: args.owner_id });
      }),
  );

  server.registerTool(
    "register_cube",
    {
      title: "Register cube",
      description:
        "Register an existing cube directory on the server (ours or MemOS's layout) for the user, its owner.",
      inputSchema: {
        cube_name_or_path: z.string().min(1).describe("Directory of the cube on the server"),
        cube_id: z
          .string()
          .optional()
          .describe("Id to register it under (default: the directory's config cube_id)"),
        user_id: userId,
      },
    },
    (args) =>
      runTool("register_cube", async () => {
        const user = actingUser(session, args.user_id);
        checkLocalPath(session, "cube_name_or_path");
        const id = await mos.registerMemCube(args.cube_name_or_path, { userId: user, cubeId: args.cube_id });
        return toolOk(`Cube registered successfully: ${id}`, { cube_id: id, owner: user });
      }),
  );

  server.registerTool(
    "unregister_cube",
    {
      title: "Unregister cube",
      description: "Forget a cube, keeping its directory on disk (owner, root or admin).",
      inputSchema: { cube_id: cubeId, user_id: userId },
    },
    (args) =>
      runTool("unregister_cube", async () => {
        const user = actingUser(session, args.user_id);
        await mos.unregisterMemCube(args.cube_id, { userId: user });
        return toolOk(`Cube unregistered successfully: ${args.cube_id}`, { cube_id: args.cube_id });
      }),
  );

  server.registerTool(
    "share_cube",
    {
      title: "Share cube",
      description:
        "Share a cube with another user, read (default) or write. The owner may, and root and admins.",
      inputSchema: {
        cube_id: cubeId,
        target_user_id: z.string().min(1).describe("The user to share it with"),
        permission: z.enum(["read", "write"]).optional().describe("read (default) or write"),
        user_id: userId,
      },
    },
    (args) =>
      runTool("share_cube", () => {
        const user = actingUser(session, args.user_id);
        const share = mos.shareCubeWithUser(args.cube_id, {
          targetUser: args.target_user_id,
          permission: args.permission,
          actingUser: user,
        });
        return toolOk(
          `Cube ${args.cube_id} shared successfully with user ${args.target_user_id} (${share.permission})`,
          {
            share: { ...share },
          },
        );
      }),
  );

  server.registerTool(
    "dump_cube",
    {
      title: "Dump cube",
      description: "Export a cube to a directory on the server, in MemOS's cube layout (read access).",
      inputSchema: {
        dump_dir: z.string().min(1).describe("Empty or new directory on the server to write the cube to"),
        user_id: userId,
        cube_id: cubeId.optional().describe("Default: the user's default cube"),
      },
    },
    (args) =>
      runTool("dump_cube", async () => {
        const user = actingUser(session, args.user_id);
        checkLocalPath(session, "dump_dir");
        const cube = args.cube_id ?? mos.defaultCubeOf(user);
        const r = await mos.dump(cube, args.dump_dir, { userId: user });
        return toolOk(`Cube dumped successfully to: ${r.dir} (${r.memories} memories)`, r);
      }),
  );

  server.registerTool(
    "get_user_info",
    {
      title: "User info",
      description: "A user (default: the connection's), their role and the cubes they can read.",
      inputSchema: { user_id: userId },
    },
    (args) =>
      runTool("get_user_info", () => {
        const info = mos.getUserInfo(actingUser(session, args.user_id));
        const cubes = info.accessible_cubes.map((c) => `- ${c.cube_id} (${c.access})`).join("\n");
        return toolOk(`${info.user_id} (${info.role})\nCubes:\n${cubes || "(none)"}`, {
          ...info,
          accessible_cubes: info.accessible_cubes.map(({ path: _path, ...c }) => c),
        });
      }),
  );

  server.registerTool(
    "control_memory_scheduler",
    {
      title: "Memory scheduler",
      description:
        "The background scheduler (async adds, fine passes, preferences, working-memory refresh): status shows the user's task counts and the queue's backpressure; start and stop this server's worker (root and admins).",
      inputSchema: {
        action: z.enum(["start", "stop", "status"]).describe("status, or start / stop this server's worker"),
      },
    },
    (args) =>
      runTool("control_memory_scheduler", async () => {
        const scheduler = session.scheduler;
        if (!scheduler)
          return toolError({
            code: "unavailable",
            message:
              "this MCP connection has no scheduler: `memos mcp` (stdio) runs none, and add_memory stores in the call",
            hint: "use the server's /mcp (memos serve), where async adds and their background work run",
          });
        if (args.action === "status") {
          const s = await scheduler.status(session.userId, { limit: 1 });
          const c = s.counts;
          return toolOk(
            `${s.queue} queue: ${c.waiting} waiting, ${c.in_progress} running, ${c.completed} completed, ${c.failed} failed; ${s.backpressure.active}/${s.backpressure.capacity} active${s.backpressure.full ? " (full)" : ""}; worker ${scheduler.worker?.started ? "running" : "stopped"}`,
            {
              queue: s.queue,
              counts: c,
              backpressure: s.backpressure,
              worker_running: Boolean(scheduler.worker?.started),
            },
          );
        }
        requireAdminSession(session, "start or stop the scheduler's worker");
        if (!scheduler.worker)
          return toolError({
            code: "unavailable",
            message: "this server runs no worker (--no-worker): `memos worker` processes run its tasks",
            hint: "start or stop those processes instead",
          });
        if (args.action === "start") scheduler.start();
        else await scheduler.worker.stop({ mode: "finish", timeoutMs: 30_000 });
        return toolOk(
          `Scheduler worker ${args.action === "start" ? "started" : "stopped (queued tasks wait)"}`,
          {
            worker_running: scheduler.worker.started,
          },
        );
      }),
  );
}

function requireAdminSession(session: McpSession, what: string): void {
  const me = requireUser(session.mos.home.registry, session.userId);
  if (!isAdminRole(me.role))
    throw new AccessDeniedError({
      message: `user "${session.userId}" may not ${what}: root and admins only`,
      hint: "ask an admin, or use action status",
    });
}
