// Entry point for `npm run memos -- ...` / `tsx src/cli/bin.ts` (bin/memos.js runs the built one).
import { runCli } from "./main.js";

process.exitCode = await runCli(process.argv.slice(2));
