import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: [process.env.MEMOS_SERVICE_PROBE_FILE ?? "test/support/service-probe.check.ts"] },
});
