// The memory browser: header (cube picker, tabs), hash routes, sign-in when keys exist.
import { renderDetail } from "./detail.js";
import { ApiError, api, auth, errorPanel, h } from "./dom.js";
import { renderGraph } from "./graph.js";
import { renderList } from "./list.js";
import { renderOverview } from "./overview.js";
import { renderScheduler } from "./scheduler.js";

const state = { me: null, cube: localStorage.getItem("memos.cube") };
const view = document.getElementById("view");
const cubeSelect = document.getElementById("cube");

function route() {
  const [path, qs] = location.hash.replace(/^#/, "").split("?");
  return { path: path || "/memories", params: new URLSearchParams(qs ?? "") };
}

async function signIn() {
  const dialog = document.getElementById("signin");
  const input = document.getElementById("signin-key");
  const err = document.getElementById("signin-error");
  return new Promise((resolve) => {
    document.getElementById("signin-form").onsubmit = async (e) => {
      e.preventDefault();
      auth.key = input.value.trim();
      try {
        resolve(await api("me"));
        dialog.close();
      } catch (error) {
        err.hidden = false;
        err.textContent = error.message;
      }
    };
    dialog.showModal();
  });
}

async function loadMe() {
  try {
    return await api("me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signIn();
    throw error;
  }
}

function fillCubes() {
  const cubes = state.me.cubes;
  if (!cubes.some((c) => c.cube_id === state.cube)) state.cube = cubes[0]?.cube_id ?? null;
  cubeSelect.replaceChildren(
    ...cubes.map((c) =>
      h(
        "option",
        { value: c.cube_id, selected: c.cube_id === state.cube },
        `${c.cube_id}${c.access === "owner" ? "" : ` (${c.access})`}`,
      ),
    ),
  );
  cubeSelect.onchange = () => {
    state.cube = cubeSelect.value;
    localStorage.setItem("memos.cube", state.cube);
    render();
  };
  const who = document.getElementById("who");
  who.replaceChildren(`${state.me.user_id} · ${state.me.role}`);
  if (auth.key) {
    const out = h(
      "button",
      { class: "link", id: "signout", title: "forget the key in this tab" },
      "Sign out",
    );
    out.onclick = () => {
      auth.key = null;
      location.reload();
    };
    who.append(" ", out);
  }
}

async function render() {
  const { path, params } = route();
  for (const a of document.querySelectorAll("#tabs a"))
    a.classList.toggle(
      "active",
      path.startsWith(`/${a.dataset.tab}`) || (a.dataset.tab === "memories" && path === "/memory"),
    );
  if (!state.cube) {
    view.replaceChildren(
      h("div", { class: "panel" }, "You cannot read any cube yet. Ask a cube's owner to share it with you."),
    );
    return;
  }
  const ctx = {
    cube: state.cube,
    params,
    view,
    me: state.me,
    cubeInfo: state.me.cubes.find((c) => c.cube_id === state.cube),
  };
  try {
    if (path === "/memory") await renderDetail(ctx);
    else if (path === "/graph") await renderGraph(ctx);
    else if (path === "/overview") await renderOverview(ctx);
    else if (path === "/scheduler") await renderScheduler(ctx);
    else await renderList(ctx);
  } catch (error) {
    // A key revoked while the page is open: ask again.
    if (error instanceof ApiError && error.status === 401) {
      auth.key = null;
      location.reload();
      return;
    }
    view.replaceChildren(errorPanel(error));
  }
}

async function start() {
  try {
    state.me = await loadMe();
  } catch (error) {
    view.replaceChildren(errorPanel(error));
    return;
  }
  const wanted = route().params.get("cube");
  if (wanted) state.cube = wanted;
  fillCubes();
  window.addEventListener("hashchange", render);
  await render();
}

start();
