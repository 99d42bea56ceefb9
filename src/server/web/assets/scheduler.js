// The scheduler panel: the signed-in user's background tasks (async adds, fine passes, preference
// extraction, working-memory refreshes), their counts, and the queue's backpressure. Refreshes
// itself while tasks are active.
import { fmtDate, h, product } from "./dom.js";

const REFRESH_MS = 2000;
let timer;

function countsRow(counts) {
  const cells = ["waiting", "in_progress", "completed", "failed", "cancelled"].map((k) =>
    h(
      "div",
      { class: `stat stat-${k}`, dataset: { status: k } },
      h("b", {}, String(counts[k] ?? 0)),
      h("span", {}, k.replace("_", " ")),
    ),
  );
  return h("div", { class: "stats", id: "sched-counts", dataset: { total: counts.total ?? 0 } }, cells);
}

function backpressurePanel(summary) {
  const b = summary.backpressure;
  const pct = b.capacity > 0 ? Math.min(100, Math.round((b.active / b.capacity) * 100)) : 0;
  return h(
    "div",
    {
      class: `panel${b.full ? " full" : ""}`,
      id: "sched-backpressure",
      dataset: { full: String(b.full), active: b.active, capacity: b.capacity },
    },
    h("h2", {}, "Queue"),
    h(
      "p",
      {},
      `${summary.queue} queue · ${b.active} of ${b.capacity} active (${pct}%) · ${b.rejected_full} refused as full`,
      summary.worker
        ? ` · this server runs ${summary.worker.running} of ${summary.worker.concurrency} at once`
        : " · run by `memos worker` processes",
    ),
    h("div", { class: "meter" }, h("div", { class: "meter-fill", style: `width:${pct}%` })),
    b.full
      ? h(
          "p",
          { class: "notice" },
          "The queue is full: new adds still store their fast memories at once; their fine pass waits and is queued again when there is room.",
        )
      : null,
    b.pending_cubes > 0
      ? h(
          "p",
          { class: "muted" },
          `${b.pending_cubes} cube(s) have fast memories waiting for room in the queue.`,
        )
      : null,
  );
}

function tasksTable(tasks) {
  if (!tasks.length)
    return h(
      "p",
      { class: "muted" },
      "No background task yet: async adds (and what follows them) show here.",
    );
  const rows = tasks.map((t) =>
    h(
      "tr",
      { dataset: { label: t.label, status: t.status } },
      h("td", {}, t.label),
      h("td", {}, h("span", { class: `badge status-${t.status}` }, t.status.replace("_", " "))),
      h("td", {}, t.cube_id),
      h("td", {}, `${t.attempts}/${t.max_attempts}`),
      h("td", {}, fmtDate(t.submitted_at)),
      h("td", {}, fmtDate(t.finished_at)),
      h(
        "td",
        { class: "error-cell" },
        t.error ? `${t.error.code}: ${t.error.message}${t.dead_letter ? " (dead letter)" : ""}` : "",
      ),
    ),
  );
  return h(
    "table",
    { id: "tasks" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["task", "status", "cube", "tries", "submitted", "finished", "error"].map((c) => h("th", {}, c)),
      ),
    ),
    h("tbody", {}, rows),
  );
}

export async function renderScheduler({ view }) {
  clearTimeout(timer);
  const [summary, tasks] = await Promise.all([
    product("scheduler/allstatus"),
    product("scheduler/status?limit=50"),
  ]);
  view.replaceChildren(
    h("h1", {}, "Scheduler"),
    countsRow(summary.user_summary),
    backpressurePanel(summary),
    h("div", { class: "panel" }, h("h2", {}, "Your background tasks"), tasksTable(tasks)),
  );
  const active = (summary.user_summary.waiting ?? 0) + (summary.user_summary.in_progress ?? 0);
  if (active > 0)
    timer = setTimeout(() => {
      if (location.hash.startsWith("#/scheduler")) renderScheduler({ view }).catch(() => {});
    }, REFRESH_MS);
}
