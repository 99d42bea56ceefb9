import type { AdapterRecord } from "./index-file.js";

/**
 * A LoRA adapter as a memory item, MemOS's `ParametricMemoryItem` shape (`{id, memory, metadata}`):
 * what search results (`para_mem`), `get_all` and the memory browser show.
 */
export interface ParametricMemoryItem {
  /** The adapter's name (unique in its cube). */
  id: string;
  /** Its description, else "LoRA adapter NAME". */
  memory: string;
  metadata: {
    memory_type: "ParametricMemory";
    backend: "lora";
    active: boolean;
    scale: number;
    base_model: AdapterRecord["base_model"];
    lora: AdapterRecord["lora"];
    sha256: string;
    bytes: number;
    created_at: string;
    updated_at: string;
  };
}

/**
 * @example
 * cube.parametric?.list().map(toParametricItem); // [{ id: "style", memory: "formal register", metadata: {...} }]
 */
export function toParametricItem(record: AdapterRecord): ParametricMemoryItem {
  return {
    id: record.name,
    memory: record.description || `LoRA adapter ${record.name}`,
    metadata: {
      memory_type: "ParametricMemory",
      backend: "lora",
      active: record.active,
      scale: record.scale,
      base_model: record.base_model,
      lora: record.lora,
      sha256: record.sha256,
      bytes: record.bytes,
      created_at: record.created_at,
      updated_at: record.updated_at,
    },
  };
}

/** The active adapters of a parametric memory as items (none without one): a cube's `para_mem` in search results. */
export function activeParametricItems(para: { list(): AdapterRecord[] } | undefined): ParametricMemoryItem[] {
  return (para?.list() ?? []).filter((a) => a.active).map(toParametricItem);
}
