/**
 * Child process for crash-safety.test.ts: writes batches to a file-backed store forever and
 * prints `ack N` after batch N has committed. The parent kills it with SIGKILL at a random point.
 *
 * usage: node --import tsx test/crash/writer.ts DB_PATH FIRST_BATCH BATCH_SIZE DIM
 */
import { writeSync } from "node:fs";
import type { StoredItem } from "../../src/core/interfaces/store.js";
import { type MemoryEdge, TextualMemoryItem } from "../../src/core/schema/memory.js";
import { createSqliteMemoryStore } from "../../src/storage/sqlite/index.js";

const [path, firstArg, sizeArg, dimArg] = process.argv.slice(2);
if (!path || !firstArg || !sizeArg || !dimArg) {
  process.stderr.write("usage: writer.ts DB_PATH FIRST_BATCH BATCH_SIZE DIM\n");
  process.exit(2);
}
const first = Number(firstArg);
const size = Number(sizeArg);
const dim = Number(dimArg);

const store = await createSqliteMemoryStore({ path, cubeId: "crash" });
for (let batch = first; batch < first + 100_000; batch++) {
  const items: StoredItem[] = [];
  for (let i = 0; i < size; i++) {
    const embedding = new Float32Array(dim);
    for (let d = 0; d < dim; d++) embedding[d] = Math.random() - 0.5;
    items.push({
      item: TextualMemoryItem.parse({
        id: `b${batch}-${i}`,
        memory: `batch ${batch} item ${i} remembers the lighthouse keeper's ${i % 7} cats`,
        metadata: {
          user_id: `u${i % 3}`,
          tags: [`batch${batch}`],
          batch,
          created_at: new Date().toISOString(),
        },
      }),
      embedding,
    });
  }
  if (batch % 2 === 0) {
    await store.addItems(items);
  } else {
    // Odd batches also link their items in a chain, through one multi-call transaction.
    await store.transaction(async (tx) => {
      await tx.addItems(items);
      const edges: MemoryEdge[] = [];
      for (let i = 1; i < size; i++)
        edges.push({ source: `b${batch}-${i - 1}`, target: `b${batch}-${i}`, type: "FOLLOWS" });
      await tx.addEdges(edges);
    });
  }
  // Synchronous write: the ack leaves the process only after the commit returned.
  writeSync(1, `ack ${batch}\n`);
}
