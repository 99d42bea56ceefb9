// Copies the non-TypeScript files the built package reads at run time (recorded HTTP fixtures of
// memos-ts/test, static web assets) from src/ to dist/src/. Run by `npm run build`.
import { cpSync, existsSync } from "node:fs";

const ASSETS = ["src/testing/fixtures", "src/server/web/assets"];
for (const dir of ASSETS) {
  if (existsSync(dir)) cpSync(dir, `dist/${dir}`, { recursive: true });
}
