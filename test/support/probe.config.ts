import { defineConfig } from "vitest/config";

export default defineConfig({ test: { include: ["test/support/service-probe.check.ts"] } });
