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
  return wire(mos, options, (o) => MemScheduler.create({ home: mos.home.dir, ...o }));
}

/**
 * {@link createMosScheduler} on the local queue of the MOS's home, synchronously (`createApp`).
 *
 * @example
 * const scheduler = createLocalMosScheduler(mos, { feedback: applyFeedback });
 */
export function createLocalMosScheduler(
  mos: MOS,
  options: Omit<MosSchedulerOptions, "queue" | "redisUrl" | "home"> = {},
): MemScheduler {
  return wire(mos, options, (o) => MemScheduler.local(mos.home.dir, o));
}

function wire<T extends MemScheduler | Promise<MemScheduler>>(
  mos: MOS,
  options: MosSchedulerOptions,
  make: (options: MemSchedulerOptions) => T,
): T {
  const { feedback, ...rest } = options;
  let scheduler: MemScheduler | undefined;
  const made = make({
    ...rest,
    // Handlers submit follow-ups through the MOS: it must know the scheduler before a task runs.
    autoStart: false,
    handlers: createMosHandlers({ mos, feedback }),
    requeue: async (userId, cubeId) => {
      if (!scheduler) return { queued: 0, complete: false };
      return requeuePending(
        await mos.openCube(cubeId, { userId, action: "write" }),
        { userId, cubeId },
        scheduler,
      );
    },
  });
  const attach = (s: MemScheduler) => {
    scheduler = s;
    mos.useScheduler(s);
    if (options.autoStart !== false) s.start();
    return s;
  };
  return (made instanceof Promise ? made.then(attach) : attach(made)) as T;
}
