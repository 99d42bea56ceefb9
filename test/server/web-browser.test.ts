/**
 * The memory browser in a real browser (playwright-core driving Debian's chromium, headless):
 * load, pick a cube, search, open a memory (provenance, history), edit, roll back, delete, the
 * graph view with nodes, the overview charts, and signing in with an API key. Each step is
 * checked against what MOS holds, not only what the page shows. Screenshots go to
 * reports/screenshots/latest/. Without chromium it skips, saying how to install it (CI fails instead).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { cachedTestGguf } from "../../scripts/make-test-gguf.js";
import { NotFoundError } from "../../src/core/errors/not-found-error.js";
import { createApiKey } from "../../src/mos/api-keys.js";
import { MOS } from "../../src/mos/mos.js";
import { tempDir } from "../../src/mos/test-helpers.js";
import { parseChatSessions } from "../../src/reader/chat-schema.js";
import type { MemScheduler } from "../../src/scheduler/mem-scheduler.js";
import { createApp } from "../../src/server/app.js";
import { serverExtensions } from "../../src/server/extensions.js";
import { itWithService } from "../support/services.js";

const CHROMIUM = process.env.MEMOS_CHROMIUM ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
const HOW = "apt-get install -y chromium (or set MEMOS_CHROMIUM to a chromium binary)";
// Each run writes here (git-ignored); README links the copies committed one level up.
const SHOTS = new URL("../../reports/screenshots/latest/", import.meta.url).pathname;
const SAMPLE = new URL("../../examples/sample-chat.json", import.meta.url).pathname;

type Server = ReturnType<typeof serve>;
async function listen(app: {
  fetch: (r: Request) => Response | Promise<Response>;
}): Promise<{ server: Server; base: string }> {
  let server!: Server;
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve());
  });
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("memory browser (chromium)", () => {
  const tmp = tempDir("memos-web-");
  let mos: MOS;
  let browser: Browser;
  let page: Page;
  const servers: Server[] = [];
  let base = "";
  let scheduler: MemScheduler;

  beforeAll(async () => {
    if (!hasChromium) return;
    mos = await MOS.init({ home: tmp.dir, user: "alice" });
    await mos.createUser("bob");
    const cube = await mos.createCubeForUser("notes", "alice", { textBackend: "tree_text" });
    for (const s of parseChatSessions(readFileSync(SAMPLE, "utf8"))) {
      const messages = s.messages.map((m) => ({ ...m, chat_time: m.chat_time ?? s.chat_time }));
      await mos.add({ cubeId: cube, messages, sessionId: s.session_id });
    }
    await mos.add({
      cubeId: cube,
      memoryContent: "Maya's favourite pastry is the pastel de nata from Belém.",
    });
    const gguf = cachedTestGguf();
    const para = await (await mos.openCube(cube, { action: "write" })).enableParametric();
    await para.add(gguf.loraFile, {
      name: "style",
      description: "Maya's style",
      baseModel: gguf.modelFile,
      activate: true,
    });
    // The REST API's app with the browser and MCP mounted, as `memos serve` runs it (no keys yet).
    const created = createApp({
      mos,
      extensions: serverExtensions("test"),
      limits: { rateLimitPerMinute: 0 },
    });
    scheduler = created.ctx.scheduler;
    const up = await listen(created.app);
    servers.push(up.server);
    base = up.base;
    mkdirSync(SHOTS, { recursive: true });
    // playwright gives the browser a fresh temporary profile (its --user-data-dir) itself.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 820 } });
    page.on("pageerror", (e) => {
      throw e;
    });
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await mos?.close();
    tmp.cleanup();
  });

  itWithService("chromium", hasChromium, HOW, "loads, picks a cube, lists and searches", async () => {
    await page.goto(`${base}/`);
    await expect.poll(() => page.locator("#who").textContent()).toContain("alice");
    await page.selectOption("#cube", "alice/notes");
    await page.locator("#results .card").first().waitFor();
    // The first page: every memory of the cube, at most a page (25) of them.
    expect(await page.locator("#results .card").count()).toBe(
      Math.min(25, await countIn(mos, "alice/notes")),
    );

    await page.fill("input[name=q]", "Pixel cat");
    await page.selectOption("select[name=mode]", "text");
    await page.click("button[type=submit]");
    await expect.poll(() => page.locator(".result-meta").textContent()).toMatch(/results \(full text\)/);
    const first = await page.locator("#results .card .text").first().textContent();
    expect(first).toContain("Pixel");

    // Semantic search, restricted by a filter (memory type) that the results must honour.
    await page.fill("input[name=q]", "where does Maya work");
    await page.selectOption("select[name=mode]", "fast");
    await page.selectOption("select[name=type]", "LongTermMemory");
    await page.click("button[type=submit]");
    await expect.poll(() => page.locator(".result-meta").textContent()).toMatch(/semantic, fast/);
    const chips = await page.locator("#results .chip.type").allTextContents();
    expect(chips.length).toBeGreaterThan(0);
    expect(new Set(chips)).toEqual(new Set(["LongTermMemory"]));
    await page.screenshot({ path: join(SHOTS, "browser-search.png") });
  });

  itWithService(
    "chromium",
    hasChromium,
    HOW,
    "opens a memory with provenance and history; edits, rolls back, deletes",
    async () => {
      await page.goto(`${base}/#/memories?q=Pixel&mode=text&cube=alice/notes`);
      await page.locator("#results .card").first().click();
      await page.locator("#provenance").waitFor();
      const id = new URL(page.url().replace("#/memory", "memory")).searchParams.get("id") as string;
      const stored = (await mos.get(id, { userId: "alice" })).memory;
      // Each source turn, with its speaker and time.
      const turns = page.locator("#provenance li");
      expect(await turns.count()).toBe(stored.metadata.sources.length);
      const first = stored.metadata.sources[0] as { speaker?: string; role?: string } | undefined;
      expect(await turns.first().textContent()).toContain(first?.speaker ?? first?.role ?? "");
      expect(await turns.first().locator(".when").textContent()).toMatch(/2025/);
      expect(await page.locator("#history tbody tr").count()).toBe(1);

      await page.click("#edit");
      await page.fill("#editor", "Maya adopted Pixel, a grey cat, on 8 March 2025.");
      await page.fill("#tags", "pets, cat");
      await page.click("#save");
      await expect
        .poll(() => page.locator("#memory-text").textContent())
        .toBe("Maya adopted Pixel, a grey cat, on 8 March 2025.");
      expect((await mos.get(id, { userId: "alice" })).memory.memory).toBe(
        "Maya adopted Pixel, a grey cat, on 8 March 2025.",
      );
      expect((await mos.get(id, { userId: "alice" })).memory.metadata.tags).toEqual(["pets", "cat"]);
      await expect.poll(() => page.locator("#history tbody tr").count()).toBe(2);
      await page.screenshot({ path: join(SHOTS, "browser-memory.png"), fullPage: true });

      await page.locator("#history button.rollback").first().click();
      await expect.poll(() => page.locator("#memory-text").textContent()).toBe(stored.memory);
      expect((await mos.get(id, { userId: "alice" })).memory.memory).toBe(stored.memory);

      page.once("dialog", (d) => d.accept());
      await page.click("#delete");
      await page.waitForURL(/deleted=/);
      await expect(mos.get(id, { userId: "alice" })).rejects.toSatisfy((e) => NotFoundError.isInstance(e));
    },
  );

  itWithService(
    "chromium",
    hasChromium,
    HOW,
    "shows the tree as a graph and the cube's overview",
    async () => {
      await page.goto(`${base}/#/graph?cube=alice/notes`);
      await page.locator("#graph[data-nodes]").waitFor();
      const nodes = Number(await page.locator("#graph").getAttribute("data-nodes"));
      expect(nodes).toBe(await countIn(mos, "alice/notes"));
      expect(await page.locator("#graph-caption").textContent()).toMatch(/ [1-9]\d* edges? /);
      await page.screenshot({ path: join(SHOTS, "browser-graph.png") });

      await page.goto(`${base}/#/overview?cube=alice/notes`);
      await page.locator("#chart-types rect").first().waitFor();
      expect(await page.locator("#chart-types rect").count()).toBeGreaterThanOrEqual(2); // LongTerm + Working
      expect(await page.locator("#chart-events rect").count()).toBeGreaterThanOrEqual(2); // two chat days
      expect(await page.locator("#lora-adapters tbody tr").allTextContents()).toEqual([
        expect.stringMatching(/^styleactive ×1tiny-random-llamaMaya's style[0-9a-f]{12}$/),
      ]);
      await page.screenshot({ path: join(SHOTS, "browser-overview.png") });

      // The scheduler panel: an async add that completes, and a task that fails for good.
      const add = await fetch(`${base}/product/add`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          user_id: "alice",
          messages: "Maya's bike is a blue Brompton",
          async_mode: "async",
        }),
      });
      expect(add.status).toBe(200);
      await scheduler.submit({
        label: "mem_update",
        user_id: "alice",
        cube_id: "alice/default",
        payload: { queries: ["bike"] },
      });
      expect((await scheduler.waitIdle("alice", 30_000)).idle).toBe(true);
      const expected = await scheduler.status("alice");
      await page.goto(`${base}/#/scheduler`);
      await page.locator("#sched-counts").waitFor();
      const count = async (status: string) =>
        Number(await page.locator(`#sched-counts [data-status=${status}] b`).textContent());
      expect(await count("completed")).toBe(expected.counts.completed);
      expect(await count("failed")).toBe(1);
      expect(await page.locator("#tasks tbody tr").count()).toBe(expected.tasks.length);
      expect(await page.locator("#tasks tr[data-label=add][data-status=completed]").count()).toBe(1);
      expect(
        await page.locator("#tasks tr[data-label=mem_update][data-status=failed] .error-cell").textContent(),
      ).toMatch(/invalid_input: .*not a tree cube.*dead letter/);
      expect(await page.locator("#sched-backpressure").getAttribute("data-full")).toBe("false");
      expect(await page.locator("#sched-backpressure").textContent()).toMatch(
        /local queue · 0 of 10000 active/,
      );
      await page.screenshot({ path: join(SHOTS, "browser-scheduler.png") });
    },
  );

  itWithService(
    "chromium",
    hasChromium,
    HOW,
    "asks for an API key when keys exist, and shows only that user's cubes",
    async () => {
      // The first key turns authentication on for the running server.
      const bobKey = createApiKey(mos.home.registry, "bob").key;
      const p = await browser.newPage();
      await p.goto(`${base}/`);
      await p.locator("#signin[open]").waitFor();
      await p.fill("#signin-key", "memos_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
      await p.click("#signin button[type=submit]");
      await expect.poll(() => p.locator("#signin-error").textContent()).toMatch(/unknown or revoked/);
      await p.fill("#signin-key", bobKey);
      await p.click("#signin button[type=submit]");
      await expect.poll(() => p.locator("#who").textContent()).toContain("bob");
      expect(await p.locator("#cube option").allTextContents()).toEqual(["bob/default"]);
      // Bob's browser cannot read Alice's cube by naming it, nor search it through the REST API.
      const status = (path: string, body?: unknown) =>
        p.evaluate(
          async ([path, key, body]) =>
            (
              await fetch(path as string, {
                method: body ? "POST" : "GET",
                headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
                body: body ? JSON.stringify(body) : undefined,
              })
            ).status,
          [path, bobKey, body] as const,
        );
      expect(await status("/web/api/memories?cube=alice/notes")).toBe(403);
      expect(await status("/product/search", { query: "Pixel", readable_cube_ids: ["alice/notes"] })).toBe(
        403,
      );
      await p.click("#signout");
      await p.locator("#signin[open]").waitFor();
      await p.close();
    },
  );
});

async function countIn(mos: MOS, cubeId: string): Promise<number> {
  return (await mos.getAll({ userId: "alice", cubeId })).text_mem[0]?.memories.length ?? 0;
}
