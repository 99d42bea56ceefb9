import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { runQueueConformance } from "../../testing/queue-conformance.js";
import { LocalQueue } from "./local-queue.js";

const dir = mkdtempSync(join(tmpdir(), "memos-local-queue-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runQueueConformance(
  "local (SQLite file)",
  async ({ namespace, ...options }) => new LocalQueue(join(dir, `${namespace}.db`), options),
);

describe("LocalQueue", () => {
  it("lives beside other tables in a database it is given, and leaves that database open", async () => {
    const db = new Database(join(dir, "shared.db"));
    db.exec("CREATE TABLE other (x INTEGER)");
    const queue = new LocalQueue(db);
    await queue.submit({ label: "add", user_id: "u", cube_id: "c", payload: {} });
    await queue.close();
    expect(db.prepare("SELECT COUNT(*) AS n FROM scheduler_tasks").get()).toEqual({ n: 1 });
    db.close();
  });

  it("answers a closed queue with a storage error, not a crash", async () => {
    const queue = new LocalQueue(join(dir, "closed.db"));
    await queue.close();
    await expect(
      queue.submit({ label: "add", user_id: "u", cube_id: "c", payload: {} }),
    ).rejects.toMatchObject({
      code: "storage",
    });
    expect(await queue.claim("w", 1)).toEqual([]);
  });
});
