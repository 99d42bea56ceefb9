import { createFromConfig, hasBackend, listBackends } from "../../core/backend-registry.js";
import { ConfigError } from "../../core/errors/config-error.js";
import type { MemCubeConfig } from "../config.js";
import type { MemoryBackendContext } from "./context.js";

/** Cube sections whose backends come from the registry, with the kind each resolves to. */
const SECTIONS = [
  { section: "act_mem", kind: "act_memory", what: "activation memory (KV cache)" },
  { section: "para_mem", kind: "para_memory", what: "parametric memory (LoRA adapters)" },
] as const;

/**
 * Refuse a cube whose `act_mem` / `para_mem` names a backend nobody registered: opening it as if
 * the section were not there would silently drop what the cube's author asked for. An empty
 * section (`{}`) means "none" and is fine.
 */
export function requireImplementedSections(config: MemCubeConfig): void {
  for (const { section, kind, what } of SECTIONS) {
    const value = config[section];
    if (!value || !("backend" in value)) continue;
    const backend = String(value.backend);
    if (hasBackend(kind, backend)) continue;
    const known = listBackends(kind);
    throw new ConfigError({
      message: `cube ${config.cube_id}: ${section} backend "${backend}" is not available in this MemOS-TS`,
      hint: known.length
        ? `${what} backends available: ${known.join(", ")}`
        : `${what} is not implemented yet; set "${section}": {} in its config.json, or import its memories with \`memos load DIR\` (which reads only the memory files)`,
    });
  }
}

/**
 * Build the memory an `act_mem` / `para_mem` section names, through the backend registry
 * (kinds "act_memory" / "para_memory"); `undefined` for an empty section (`{}`).
 */
export async function openSectionMemory<T>(
  config: MemCubeConfig,
  section: (typeof SECTIONS)[number]["section"],
  context: MemoryBackendContext,
): Promise<T | undefined> {
  const value = config[section];
  if (!value || !("backend" in value)) return undefined;
  const kind = SECTIONS.find((s) => s.section === section)?.kind as string;
  return createFromConfig<T>(kind, value, context);
}
