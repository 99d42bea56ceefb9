import { requeuePending } from "../mos/background.js";
import type { MOS } from "../mos/mos.js";
import { createMosHandlers, type FeedbackApplier } from "./handlers/index.js";
import { MemScheduler, type MemSchedulerOptions } from "./mem-scheduler.js";

/** Options of {@link createMosScheduler}: the scheduler's, less what MOS provides. */
export interface MosSchedulerOptions extends Omit<MemSchedulerOptions, "handlers" | "requeue"> {
  /** The server's feedback logic, for `mem_feedback` tasks. */
  feedback?: FeedbackApplier;
}

/**
 * A scheduler wired to a MOS: the MOS handlers registered, the local queue in the MOS's home
 * (unless Redis is configured), the sweep re-queueing what a full queue refused, and the MOS
 * submitting to it (async adds, chat turns). Close the scheduler before the MOS.
 *
 * @example
 * const scheduler = await createMosScheduler(mos);                   // local queue + worker here
 * const submitOnly = await createMosScheduler(mos, { worker: false }); // Redis: `memos worker`s do the work
 */
export async function createMosScheduler(mos: MOS, options: MosSchedulerOptions = {}): Promise<MemScheduler> {
  const { feedback, ...rest } = options;
  const scheduler: MemScheduler = await MemScheduler.create({
    home: mos.home.dir,
    ...rest,
    handlers: createMosHandlers({ mos, feedback }),
    requeue: async (userId, cubeId) =>
      requeuePending(await mos.openCube(cubeId, { userId, action: "write" }), { userId, cubeId }, scheduler),
  });
  mos.useScheduler(scheduler);
  return scheduler;
}
