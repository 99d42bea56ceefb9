// Small helpers shared by the views: element building (text only, never HTML from data),
// the API client (Bearer key from sessionStorage), dates and a toast.

/** h("a", {href: "#"}, "text", child) — attributes starting with "on" are listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat())
    if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** An error from the API: {code, message, hint} and the HTTP status. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code ?? body?.error;
    this.hint = body?.hint;
  }
}

const KEY = "memos.apiKey";
export const auth = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  set key(v) {
    v ? sessionStorage.setItem(KEY, v) : sessionStorage.removeItem(KEY);
  },
};

/** Calls the browser API; throws ApiError (401 → the app asks for a key). */
export async function api(path, { method = "GET", query, body } = {}) {
  const url = new URL(`/web/api/${path}`, location.origin);
  for (const [k, v] of Object.entries(query ?? {}))
    if (v !== undefined && v !== "") url.searchParams.set(k, v);
  const headers = { accept: "application/json" };
  if (auth.key) headers.authorization = `Bearer ${auth.key}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/**
 * Calls the REST API (`/product/...`, MemOS's shapes) with the same key; unwraps its envelope
 * `{code, message, data}`. A body means POST.
 */
export async function product(path, body) {
  const headers = { accept: "application/json" };
  if (auth.key) headers.authorization = `Bearer ${auth.key}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`/product/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const envelope = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, envelope);
  return envelope?.data;
}

/** The browser's filters in the filter DSL (what /product/search takes). */
export function filterOf({ type, tag, session, from, to }) {
  const f = {};
  if (type) f.memory_type = type;
  if (tag) f.tags = { contains: tag };
  if (session) f.session_id = session;
  if (from || to)
    f.created_at = { ...(from ? { gte: from } : {}), ...(to ? { lte: `${to}T23:59:59.999Z` } : {}) };
  return Object.keys(f).length ? f : undefined;
}

export function fmtDate(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function toast(text) {
  let box = document.getElementById("toasts");
  if (!box) {
    box = h("div", { id: "toasts", class: "toasts" });
    document.body.append(box);
  }
  const el = h("div", { class: "toast", role: "status" }, text);
  box.append(el);
  setTimeout(() => el.remove(), 2500);
}

/** A panel saying what failed and what to do. */
export function errorPanel(error) {
  return h(
    "div",
    { class: "panel error" },
    h("b", {}, error.message),
    error.hint ? h("div", { class: "muted" }, error.hint) : null,
  );
}

/** Colours per memory type (graph, charts, chips). */
export const TYPE_COLORS = {
  LongTermMemory: "#3b5bdb",
  UserMemory: "#2b8a3e",
  WorkingMemory: "#e8590c",
  OuterMemory: "#7048e8",
  PreferenceMemory: "#c2255c",
  Unknown: "#868e96",
};
export const typeColor = (t) => TYPE_COLORS[t] ?? "#0c8599";
