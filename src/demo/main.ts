// `npm run demo`: ingest a small sample conversation (written for this repo)
// into a throwaway cube and show what a few searches find. No service, no API key.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pc from "picocolors";
import { MemCube } from "../cube/mem-cube.js";
import { parseChatSessions } from "../reader/index.js";
import { DEMO_QUESTIONS } from "./questions.js";

const QUESTIONS = DEMO_QUESTIONS.map((q) => q.question);

const samplePath = new URL("../../examples/sample-chat.json", import.meta.url);
const dir = mkdtempSync(join(tmpdir(), "memos-demo-"));
try {
  console.log(pc.bold("MemOS-TS demo"), pc.dim(`(cube in ${dir}; the first run converts GloVe once, ~30 s)`));
  const cube = await MemCube.create(dir, { cubeId: "demo/maya", userId: "maya" });
  const sessions = parseChatSessions(readFileSync(samplePath, "utf8"), samplePath.pathname);
  const messages = sessions.flatMap((s) => s.messages);
  const started = performance.now();
  const added = await cube.text.addChatSessions(sessions, { userId: "maya" });
  console.log(
    `Added ${messages.length} messages as ${added.length} memories in ${Math.round(performance.now() - started)} ms\n`,
  );
  for (const q of QUESTIONS) {
    const [top] = await cube.text.search(q, { topK: 3 });
    console.log(pc.cyan(`? ${q}`));
    if (!top) {
      console.log("  (nothing found)\n");
      continue;
    }
    const best = top.item.metadata.sources
      .map((s) => `${s.speaker ?? s.role}: ${s.content}`)
      .find((line) =>
        q.split(/\W+/).some((w) => w.length > 3 && line.toLowerCase().includes(w.toLowerCase())),
      );
    console.log(pc.dim(`  best memory (score ${top.score.toFixed(4)}, found by ${top.paths.join(" + ")}):`));
    console.log(
      top.item.memory
        .split("\n")
        .map((l) => `    ${l}`)
        .join("\n"),
    );
    if (best) console.log(pc.green(`  → ${best}`));
    console.log();
  }
  await cube.close();
  console.log(
    pc.dim(
      'Try the CLI: npx memos init && npx memos add --file examples/sample-chat.json && npx memos search "pet"',
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
