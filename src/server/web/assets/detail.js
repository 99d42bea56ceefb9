// One memory: text, edit, delete, metadata, provenance (source turns), version history with
// rollback, and its edges.
import { api, fmtDate, h, product, toast } from "./dom.js";

const link = (cube, id, text) =>
  h("a", { href: `#/memory?cube=${encodeURIComponent(cube)}&id=${encodeURIComponent(id)}` }, text);

function provenance(sources) {
  if (!sources?.length)
    return h("p", { class: "muted" }, "No recorded source (added as a plain memory text).");
  return h(
    "ol",
    { class: "turns", id: "provenance" },
    sources.map((s) =>
      h(
        "li",
        { class: `turn ${s.role ?? ""}` },
        h(
          "div",
          {},
          h("span", { class: "who" }, s.speaker ?? s.role ?? s.type ?? "source"),
          s.speaker && s.role ? h("span", { class: "muted" }, ` (${s.role})`) : null,
          s.chat_time ? h("span", { class: "when" }, fmtDate(s.chat_time)) : null,
        ),
        s.content ? h("div", {}, s.content) : null,
        s.doc_path ? h("div", { class: "muted" }, `document: ${s.doc_path}`) : null,
        s.message_id ? h("div", { class: "muted" }, `message ${s.message_id}`) : null,
      ),
    ),
  );
}

function metaList(md, id) {
  const rows = [
    ["id", id],
    ["type", md.memory_type],
    ["status", md.status],
    ["key", md.key],
    ["tags", (md.tags ?? []).join(", ")],
    ["session", md.session_id],
    ["user", md.user_id],
    ["source", md.source],
    ["confidence", md.confidence],
    ["created", fmtDate(md.created_at)],
    ["updated", fmtDate(md.updated_at)],
    ["valid from", fmtDate(md.valid_at)],
    ["invalid from", fmtDate(md.invalid_at)],
    ["used", md.usage?.length ? `${md.usage.length} times` : null],
  ].filter(([, v]) => v !== undefined && v !== null && v !== "");
  return h(
    "dl",
    { class: "meta" },
    rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, String(v))]),
  );
}

export async function renderDetail({ params, view }) {
  const cube = params.get("cube");
  const id = params.get("id");
  const data = await api("memory", { query: { cube, id } });
  const m = data.memory;
  const canWrite = data.actions.includes("write");
  const canDelete = data.actions.includes("delete");
  const reload = () => renderDetail({ params, view });

  const text = h("div", { class: "memory-text", id: "memory-text" }, m.memory);
  const editor = h("textarea", { id: "editor", "aria-label": "memory text", hidden: true });
  const tagsInput = h("input", {
    id: "tags",
    "aria-label": "tags",
    placeholder: "tags, comma separated",
    hidden: true,
    style: "width:100%;margin-top:.5rem",
  });
  const save = h("button", { class: "primary", hidden: true, id: "save" }, "Save");
  const cancel = h("button", { hidden: true }, "Cancel");
  const edit = h(
    "button",
    { id: "edit", disabled: !canWrite, title: canWrite ? "" : "read-only for you" },
    "Edit",
  );
  const del = h(
    "button",
    {
      class: "danger",
      id: "delete",
      disabled: !canDelete,
      title: canDelete ? "" : "you may not delete here",
    },
    "Delete",
  );
  const toggle = (on) => {
    text.hidden = on;
    editor.hidden = !on;
    tagsInput.hidden = !on;
    save.hidden = !on;
    cancel.hidden = !on;
    edit.hidden = on;
  };
  edit.onclick = () => {
    editor.value = m.memory;
    tagsInput.value = (m.metadata.tags ?? []).join(", ");
    toggle(true);
    editor.focus();
  };
  cancel.onclick = () => toggle(false);
  save.onclick = async () => {
    save.disabled = true;
    try {
      const tags = tagsInput.value
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean);
      await product("update_memory", {
        memory_id: id,
        mem_cube_id: cube,
        memory: editor.value,
        metadata: { tags },
      });
      toast("Saved as a new version");
      await reload();
    } catch (error) {
      save.disabled = false;
      toast(error.message);
    }
  };
  del.onclick = async () => {
    if (!confirm("Delete this memory? This cannot be undone.")) return;
    await product("delete_memory", { memory_ids: [id], mem_cube_id: cube });
    toast("Deleted");
    location.hash = `#/memories?deleted=${encodeURIComponent(id)}`;
  };

  const hist = data.history;
  const versions = [
    {
      version: hist.current.version,
      memory: hist.current.memory,
      update_type: "current",
      created_at: hist.current.updated_at,
    },
    ...[...hist.history].sort((a, b) => b.version - a.version),
  ];
  const historyTable = h(
    "table",
    { id: "history" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", {}, "v"),
        h("th", {}, "text"),
        h("th", {}, "change"),
        h("th", {}, "when"),
        h("th", {}, ""),
      ),
    ),
    h(
      "tbody",
      {},
      versions.map((v) =>
        h(
          "tr",
          { dataset: { version: v.version } },
          h("td", {}, String(v.version)),
          h("td", {}, v.memory),
          h("td", {}, v.update_type ?? ""),
          h("td", {}, fmtDate(v.created_at)),
          h(
            "td",
            {},
            v.update_type === "current" || !canWrite
              ? ""
              : h(
                  "button",
                  {
                    class: "rollback",
                    onclick: async () => {
                      await api("memory/rollback", {
                        method: "POST",
                        query: { cube, id },
                        body: { version: v.version },
                      });
                      toast(`Restored version ${v.version}`);
                      await reload();
                    },
                  },
                  "Restore",
                ),
          ),
        ),
      ),
    ),
  );
  const edges = data.edges.length
    ? h(
        "table",
        { id: "edges" },
        h(
          "tbody",
          {},
          data.edges.map((e) =>
            h(
              "tr",
              {},
              h("td", {}, e.direction === "out" ? `→ ${e.type}` : `← ${e.type}`),
              h("td", {}, e.other ? link(cube, e.other.id, e.other.memory || e.other.id) : ""),
            ),
          ),
        ),
      )
    : h("p", { class: "muted" }, "No edges.");

  view.replaceChildren(
    h(
      "p",
      {},
      h("a", { href: "#/memories" }, "← Memories"),
      h("span", { class: "muted" }, `  ·  ${data.cube_id}`),
    ),
    h(
      "div",
      { class: "panel" },
      text,
      editor,
      tagsInput,
      h("div", { class: "actions" }, edit, save, cancel, del),
    ),
    h(
      "div",
      { class: "grid2" },
      h("div", { class: "panel" }, h("h2", {}, "Provenance"), provenance(m.metadata.sources)),
      h("div", { class: "panel" }, h("h2", {}, "Details"), metaList(m.metadata, m.id)),
    ),
    h(
      "div",
      { class: "panel" },
      h("h2", {}, `History (${versions.length} version${versions.length === 1 ? "" : "s"})`),
      historyTable,
    ),
    h("div", { class: "panel" }, h("h2", {}, "Edges"), edges),
  );
}
