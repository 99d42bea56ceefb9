#!/usr/bin/env node
// Runs the built CLI (npm install builds dist/ through the "prepare" script).
import { runCli } from "../dist/src/cli/main.js";

process.exitCode = await runCli(process.argv.slice(2));
