import { z } from "zod";

/** Every configurable part is `{backend, config}`, as in MemOS. */
export const BackendConfig = z.object({
  backend: z.string().min(1),
  config: z.record(z.string(), z.unknown()).default({}),
});
export type BackendConfig = z.input<typeof BackendConfig>;
