/**
 * Each MOS task handler on its own, with a scripted LLM and a real MOS home: what a task changes in
 * the cube, what it refuses (bad payload, another user's cube), and what it queues next.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MemosError } from "../../core/errors/memos-error.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import type { TreeTextMemory } from "../../memory/textual/tree/tree-memory.js";
import { workingMemoryItems } from "../../memory/textual/tree/working-memory.js";
import type { BackgroundTasks } from "../../mos/background.js";
import { MOS } from "../../mos/mos.js";
import { tempDir } from "../../mos/test-helpers.js";
import type { TaskInput } from "../types.js";
import {
  addHandler,
  answerHandler,
  createMosHandlers,
  memFeedbackHandler,
  memOrganizeHandler,
  memReadHandler,
  memUpdateHandler,
  prefAddHandler,
  queryHandler,
  queryKeywords,
} from "./index.js";
import { fineModel, recordingContext, taskOf } from "./test-helpers.js";

const chat = (lines: string[], session = "s1") =>
  lines.map((content, i) => ({
    role: i % 2 === 0 ? "user" : "assistant",
    speaker: i % 2 === 0 ? "Ida" : "Jon",
    content,
    chat_time: `2024-03-01T10:0${i}:00Z`,
    message_id: `${session}:${i}`,
  }));

async function expectCode(promise: Promise<unknown>, code: string): Promise<MemosError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(MemosError.isInstance(error), `expected a MemosError ${code}, got ${String(error)}`).toBe(true);
  expect((error as MemosError).code).toBe(code);
  return error as MemosError;
}

describe("scheduler handlers", () => {
  const t = tempDir("memos-handlers-");
  let mos: MOS;
  let tree: string;
  const intent = { trigger: true, evidences: ["tomato watering"] };

  beforeAll(async () => {
    mos = await MOS.init({
      home: t.dir,
      user: "ida",
      llm: fineModel([
        {
          match: "List the user's explicit and implicit preferences.",
          reply: {
            explicit: [
              {
                preference: "The user prefers window seats on long flights",
                topic: "travel",
                evidence_index: 0,
              },
            ],
            implicit: [],
          },
        },
        {
          match: "Decide the working-memory intent.",
          reply: () => ({ trigger_retrieval: intent.trigger, missing_evidences: intent.evidences }),
        },
      ]),
    });
    await mos.createUser("bob");
    tree = await mos.createCubeForUser("garden", "ida", { textBackend: "tree_text" });
  });
  afterAll(async () => {
    await mos.close();
    t.cleanup();
  });

  it("mem_read replaces an add's fast memories by fine ones, each fact once; the content stays searchable", async () => {
    const added = await mos.add({
      userId: "ida",
      messages: chat(["I grow tomatoes in my garden", "Do they need much water?"]),
    });
    const ids = added.memories.map((m) => m.id);
    // A chat add stores the window and its single turns.
    expect(ids.length).toBe(3);
    expect(added.memories.every((m) => m.metadata.tags.includes("mode:fast"))).toBe(true);
    const before = await mos.search({ userId: "ida", query: "tomatoes garden", topK: 3 });
    expect(before.text_mem[0]?.memories.map((m) => m.id)).toEqual(expect.arrayContaining([ids[0]]));

    const result = (await memReadHandler({ mos })(
      taskOf("mem_read", "ida", added.cube_id, { memory_ids: ids }),
      recordingContext(),
    )) as { upgraded: { from: string; to: string[] }[] };
    expect(result.upgraded.map((u) => u.from).sort()).toEqual([...ids].sort());
    for (const id of ids)
      expect((await mos.get(id, { userId: "ida" })).memory.metadata.status).toBe("deleted");
    // One fine memory per line of the chat, not one per line per fast memory holding it.
    const fine = (await mos.getAll({ userId: "ida", cubeId: added.cube_id })).text_mem[0]?.memories ?? [];
    const fineTexts = fine.filter((m) => m.memory.includes("(fine)")).map((m) => m.memory);
    expect(fineTexts.sort()).toEqual([
      "Ida said (fine): I grow tomatoes in my garden",
      "Jon said (fine): Do they need much water?",
    ]);
    const after = await mos.search({ userId: "ida", query: "tomatoes garden", topK: 3 });
    const found = after.text_mem[0]?.memories ?? [];
    expect(found.map((m) => m.id)).not.toContain(ids[0]);
    expect(found.some((m) => m.memory.includes("(fine)") && m.memory.includes("tomatoes"))).toBe(true);
  });

  it("mem_read keeps the fast memories when the fine pass fails, and fails the attempt so the queue retries", async () => {
    const added = await mos.add({ userId: "ida", messages: chat(["FAILME my balcony has basil"], "s2") });
    const ids = added.memories.map((m) => m.id);
    const error = await expectCode(
      memReadHandler({ mos })(
        taskOf("mem_read", "ida", added.cube_id, { memory_ids: ids }),
        recordingContext(),
      ),
      "provider",
    );
    expect(error.hint).toContain("fast memories stay searchable");
    expect((await mos.get(ids[0] as string, { userId: "ida" })).memory.metadata.status).toBe("activated");
    const found = await mos.search({ userId: "ida", query: "balcony basil", topK: 3 });
    expect(found.text_mem[0]?.memories.map((m) => m.id)).toContain(ids[0]);
  });

  it("a handler checks its payload and the task user's access to the cube", async () => {
    const read = memReadHandler({ mos });
    await expectCode(
      read(taskOf("mem_read", "ida", "ida/default", { ids: ["x"] }), recordingContext()),
      "invalid_input",
    );
    const idaMemory = (await mos.add({ userId: "ida", memoryContent: "Ida's PIN hint is the garden gate" }))
      .memories[0];
    await expectCode(
      read(taskOf("mem_read", "bob", "ida/default", { memory_ids: [idaMemory?.id] }), recordingContext()),
      "access_denied",
    );
  });

  it("mem_update puts what the recent queries need at the front of working memory, within capacity", async () => {
    await mos.add({
      userId: "ida",
      cubeId: tree,
      memoryContent: "Tomatoes need watering every evening in summer",
    });
    for (let i = 0; i < 25; i++)
      await mos.add({
        userId: "ida",
        cubeId: tree,
        memoryContent: `Unrelated note ${i} about the ${i}th invoice`,
      });
    const cube = await mos.openCube(tree, { userId: "ida" });
    const text = cube.text as TreeTextMemory;
    const wmBefore = await workingMemoryItems(text.store);
    expect(wmBefore.some((w) => w.memory.includes("Tomatoes"))).toBe(false);

    const result = (await memUpdateHandler({ mos })(
      taskOf("mem_update", "ida", tree, { queries: ["how often should I water the tomatoes?"] }),
      recordingContext(),
    )) as { triggered: boolean; evidences: string[]; entered: string[]; keywords: string[] };
    expect(result.triggered).toBe(true);
    expect(result.evidences).toEqual(["tomato watering"]);
    expect(result.keywords).toContain("tomatoes");
    const wm = await workingMemoryItems(text.store);
    expect(wm.length).toBeLessThanOrEqual(text.capacities.working);
    expect(wm[0]?.memory).toContain("Tomatoes need watering");
  });

  it("mem_update leaves working memory alone when the intent check says nothing is missing", async () => {
    const cube = await mos.openCube(tree, { userId: "ida" });
    const before = (await workingMemoryItems(cube.text.store)).map((w) => w.id);
    intent.trigger = false;
    try {
      const result = (await memUpdateHandler({ mos })(
        taskOf("mem_update", "ida", tree, { queries: ["invoice 3?"] }),
        recordingContext(),
      )) as { triggered: boolean };
      expect(result.triggered).toBe(false);
    } finally {
      intent.trigger = true;
    }
    expect((await workingMemoryItems(cube.text.store)).map((w) => w.id)).toEqual(before);
    await expectCode(
      memUpdateHandler({ mos })(
        taskOf("mem_update", "ida", "ida/default", { queries: ["x"] }),
        recordingContext(),
      ),
      "invalid_input",
    );
  });

  it("query records its keywords and queues mem_update with the session's recent queries (tree cubes)", async () => {
    const context = recordingContext();
    const result = (await queryHandler({ mos })(
      taskOf("query", "ida", tree, {
        query: "when do I water tomatoes?",
        history: ["what grows in my garden?"],
      }),
      context,
    )) as { keywords: string[]; mem_update_task_id?: string };
    expect(result.keywords).toEqual(expect.arrayContaining(["tomatoes", "garden", "water"]));
    expect(context.submitted).toEqual([
      expect.objectContaining({
        label: "mem_update",
        user_id: "ida",
        cube_id: tree,
        payload: { queries: ["what grows in my garden?", "when do I water tomatoes?"] },
      }),
    ]);
    expect(result.mem_update_task_id).toBeDefined();
    // A general cube keeps no working memory: nothing to refresh.
    const general = recordingContext();
    await queryHandler({ mos })(taskOf("query", "ida", "ida/default", { query: "tomatoes?" }), general);
    expect(general.submitted).toEqual([]);
  });

  it("answer gives each cited memory a usage entry for the answered query", async () => {
    const m = (await mos.add({ userId: "ida", memoryContent: "Ida's sister lives in Porto" }))
      .memories[0] as TextualMemoryItem;
    const result = (await answerHandler({ mos })(
      taskOf("answer", "ida", "ida/default", {
        answer: "In Porto [1]",
        query: "where does my sister live?",
        memory_ids: [m.id, "nope"],
      }),
      recordingContext(),
    )) as { cited: string[] };
    expect(result.cited).toEqual([m.id]);
    const usage = (await mos.get(m.id, { userId: "ida" })).memory.metadata.usage;
    expect(usage.at(-1)).toMatchObject({ query: "answer: where does my sister live?" });
  });

  it("pref_add stores the preferences the messages state in the cube's preference memory", async () => {
    const result = (await prefAddHandler({ mos })(
      taskOf("pref_add", "ida", "ida/default", {
        messages: [{ role: "user", content: "I prefer window seats on long flights." }],
      }),
      recordingContext(),
    )) as { added: string[] };
    expect(result.added.length).toBeGreaterThan(0);
    const found = await mos.search({
      userId: "ida",
      query: "which seat should I book on a flight?",
      topK: 3,
    });
    expect(found.pref_mem[0]?.memories.some((p) => /window seat/i.test(p.memory))).toBe(true);
  });

  it("mem_organize integrates a tree cube's new memories; a general cube is refused once (no graph)", async () => {
    const [a] = (
      await mos.add({ userId: "ida", cubeId: tree, memoryContent: "The shed key hangs by the door" })
    ).memories;
    const result = (await memOrganizeHandler({ mos })(
      taskOf("mem_organize", "ida", tree, { memory_ids: [a?.id], structure: true }),
      recordingContext(),
    )) as { integrated?: unknown; structure?: { candidates: number } };
    expect(result.integrated).toBeDefined();
    expect(result.structure?.candidates).toBeGreaterThan(0);
    await expectCode(
      memOrganizeHandler({ mos })(
        taskOf("mem_organize", "ida", "ida/default", { structure: true }),
        recordingContext(),
      ),
      "invalid_input",
    );
    await expectCode(
      memOrganizeHandler({ mos })(taskOf("mem_organize", "ida", tree, {}), recordingContext()),
      "invalid_input",
    );
  });

  it("add writes fast memories as the task's user; in fine mode it queues their mem_read", async () => {
    const submitted: TaskInput[] = [];
    const tasks: BackgroundTasks = {
      async submit(input) {
        submitted.push(input);
        return {
          task: { ...taskOf(input.label, input.user_id, input.cube_id, input.payload), status: "waiting" },
          duplicate: false,
        };
      },
    };
    mos.useScheduler(tasks);
    try {
      const fast = (await addHandler({ mos })(
        taskOf("add", "ida", "ida/default", {
          messages: [{ role: "user", content: "My bike is a green Brompton" }],
        }),
        recordingContext(),
      )) as { memories: { memory_id: string }[]; tasks: unknown[] };
      expect(fast.memories).toHaveLength(1);
      expect(submitted.map((s) => s.label)).toEqual(["pref_add"]);
      const fine = (await addHandler({ mos })(
        taskOf("add", "ida", "ida/default", { memory_content: "My car is a red Fiat", mode: "fine" }),
        recordingContext(),
      )) as { memories: { memory_id: string }[]; tasks: { label: string }[] };
      expect(fine.tasks.map((x) => x.label)).toEqual(["mem_read", "pref_add"]);
      expect(submitted.find((s) => s.label === "mem_read")?.payload).toEqual({
        memory_ids: fine.memories.map((m) => m.memory_id),
      });
      await expectCode(
        addHandler({ mos })(
          taskOf("add", "bob", "ida/default", { memory_content: "spam" }),
          recordingContext(),
        ),
        "access_denied",
      );
    } finally {
      mos.useScheduler(undefined);
    }
    // Without a scheduler to take its follow-ups, the add says so rather than dropping them.
    await expectCode(
      addHandler({ mos })(taskOf("add", "ida", "ida/default", { memory_content: "x" }), recordingContext()),
      "config",
    );
  });

  it("mem_feedback hands the feedback to the applier as the task's user, on the task's cube by default", async () => {
    const feedback = vi.fn(async () => ({ operations: [] }));
    await memFeedbackHandler({ mos, feedback })(
      taskOf("mem_feedback", "ida", "ida/default", { feedback_content: "No, I moved to Lisbon" }),
      recordingContext(),
    );
    expect(feedback).toHaveBeenCalledWith(
      mos,
      "ida",
      expect.objectContaining({
        user_id: "ida",
        writable_cube_ids: ["ida/default"],
        feedback_content: "No, I moved to Lisbon",
      }),
    );
    expect(Object.keys(createMosHandlers({ mos }))).not.toContain("mem_feedback");
    expect(Object.keys(createMosHandlers({ mos, feedback }))).toContain("mem_feedback");
    expect(Object.keys(createMosHandlers({ mos }))).toContain("act_mem_update");
  });

  it("queryKeywords ranks content words by frequency, newest first on ties", () => {
    expect(queryKeywords(["where did Ana travel in May?", "and Ana's flight?"]).slice(0, 2)).toEqual([
      "ana",
      "flight",
    ]);
  });
});
