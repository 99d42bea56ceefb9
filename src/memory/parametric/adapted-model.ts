/**
 * The chat model with the active LoRA adapters of the cubes a chat reads. llama.cpp fixes a
 * context's adapters when it is created, so a model with adapters is a second instance of the
 * chat model (sharing its weights) whose context is recreated whenever the set of adapters or a
 * scale changes, and reused while they stay the same.
 *
 * @module
 */
import { errorMessage } from "../../core/errors/error-message.js";
import type { LanguageModel } from "../../core/interfaces/language-model.js";
import { LlamaCppLanguageModel } from "../../providers/llama-cpp/llama-cpp-language-model.js";
import { isModelUri, resolveModelUri } from "../../providers/llama-cpp/llama-cpp-runtime.js";
import { verifyChecksum } from "./files.js";
import { modelFingerprint } from "./gguf-info.js";
import type { ActiveAdapter } from "./lora-memory.js";

/** The model a chat turn runs on, what was left out and why, and the hand-back when the turn ends. */
export interface AdaptedModel {
  llm: LanguageModel | undefined;
  /** Adapters that were not applied, and why (another base model, not a llama.cpp model). */
  warnings: string[];
  /** Names of the adapters applied, in order. */
  applied: string[];
  /** Call once the turn no longer uses `llm` (a replaced context is freed when its last user leaves). */
  release(): void;
}

interface Lease {
  key: string;
  model: LlamaCppLanguageModel;
  users: number;
  current: boolean;
}

/** The model with adapters now in use for each base chat model. */
const leases = new WeakMap<LlamaCppLanguageModel, Lease>();

/**
 * `base` with `adapters` applied: `base` itself when there are none to apply; otherwise a model
 * whose context carries them, reused while the set and scales stay the same. An adapter added for
 * another base model (fingerprints differ) or a chat model that is not llama.cpp leaves it out with
 * a warning; an adapter file that no longer matches its sha256 fails the call (StorageError).
 *
 * @example
 * const adapted = await adaptChatModel(llm, cube.parametric?.active() ?? []);
 * try { await generateText(adapted.llm!, messages) } finally { adapted.release() }
 */
export async function adaptChatModel(
  base: LanguageModel | undefined,
  adapters: readonly ActiveAdapter[],
): Promise<AdaptedModel> {
  const none = (warnings: string[] = []): AdaptedModel => ({
    llm: base,
    warnings,
    applied: [],
    release() {},
  });
  if (!base || adapters.length === 0) return none();
  if (!(base instanceof LlamaCppLanguageModel)) {
    const names = adapters.map((a) => a.name).join(", ");
    return none([
      `LoRA adapters not applied (${names}): the chat model ${base.provider}:${base.modelId} is not a llama.cpp model`,
    ]);
  }
  let fingerprint: string;
  try {
    fingerprint = modelFingerprint(await localModelFile(base.modelPath));
  } catch (error) {
    // A model URI not downloaded yet: the turn runs (and downloads) without the adapters.
    const names = adapters.map((a) => a.name).join(", ");
    return none([`LoRA adapters not applied (${names}): ${errorMessage(error)}`]);
  }
  const warnings: string[] = [];
  const chosen: ActiveAdapter[] = [];
  for (const adapter of adapters) {
    if (adapter.baseFingerprint !== fingerprint) {
      warnings.push(
        `LoRA adapter "${adapter.name}" not applied: it was added for another base model than ${base.modelId}`,
      );
    } else if (!chosen.some((c) => c.sha256 === adapter.sha256)) {
      // The same adapter active in two cubes is applied once.
      chosen.push(adapter);
    }
  }
  if (chosen.length === 0) return none(warnings);
  for (const a of chosen) await verifyChecksum(a.path, a.sha256, `LoRA adapter "${a.name}"`);
  const lease = acquire(base, chosen);
  let released = false;
  return {
    llm: lease.model,
    warnings,
    applied: chosen.map((a) => a.name),
    release() {
      if (released) return;
      released = true;
      lease.users--;
      if (!lease.current && lease.users === 0) void lease.model.dispose();
    },
  };
}

/** Free the model with adapters kept for `base` (when its MOS closes). */
export async function releaseAdaptedModels(base: LanguageModel | undefined): Promise<void> {
  if (!(base instanceof LlamaCppLanguageModel)) return;
  const lease = leases.get(base);
  leases.delete(base);
  if (!lease) return;
  lease.current = false;
  if (lease.users === 0) await lease.model.dispose();
}

function acquire(base: LlamaCppLanguageModel, adapters: ActiveAdapter[]): Lease {
  const key = JSON.stringify(adapters.map((a) => [a.path, a.sha256, a.scale]));
  let lease = leases.get(base);
  if (lease?.key !== key) {
    if (lease) {
      // Turns still running on the old context finish there; it is freed when the last one ends.
      lease.current = false;
      if (lease.users === 0) void lease.model.dispose();
    }
    lease = {
      key,
      model: base.withLoras(adapters.map((a) => ({ path: a.path, scale: a.scale }))),
      users: 0,
      current: true,
    };
    leases.set(base, lease);
  }
  lease.users++;
  return lease;
}

/** A model URI is fingerprinted through its downloaded file (never downloaded here). */
async function localModelFile(modelPath: string): Promise<string> {
  return isModelUri(modelPath) ? resolveModelUri(modelPath, { download: false }) : modelPath;
}
