// The tree memory as a graph (cytoscape, served from its npm package): nodes coloured by memory
// type, edges by relation; click a node to open it.
import { api, h, TYPE_COLORS, typeColor } from "./dom.js";

let cytoscapeModule;

export async function renderGraph({ cube, view }) {
  const caption = h("p", { class: "muted", id: "graph-caption" }, "Loading graph…");
  const box = h("div", { id: "graph" });
  view.replaceChildren(
    h(
      "div",
      { class: "legend" },
      Object.entries(TYPE_COLORS).map(([t, c]) => h("span", {}, h("i", { style: `background:${c}` }), t)),
    ),
    caption,
    box,
  );
  cytoscapeModule ??= import("/ui/vendor/cytoscape.esm.min.mjs");
  const [data, mod] = await Promise.all([api("graph", { query: { cube, limit: 200 } }), cytoscapeModule]);
  const plural = (n, w) => `${n} ${w}${n === 1 ? "" : "s"}`;
  caption.textContent = `${plural(data.nodes.length, "node")} · ${plural(data.edges.length, "edge")} (the newest memories and their neighbours)`;
  if (data.nodes.length === 0) {
    box.replaceChildren(h("p", { class: "muted", style: "padding:1rem" }, "No memories in this cube yet."));
    return;
  }
  const cytoscape = mod.default;
  // Tree memories often open with their date line; the label shows the first line of content.
  const short = (text) => {
    const lines = text.split("\n").filter((l) => l.trim());
    const line = (lines.length > 1 && /^\w+day \d/.test(lines[0]) ? lines[1] : lines[0]) ?? "";
    return line.length > 34 ? `${line.slice(0, 32)}…` : line;
  };
  const cy = cytoscape({
    container: box,
    elements: [
      ...data.nodes.map((n) => ({
        data: {
          id: n.id,
          label: short(n.memory),
          color: typeColor(n.memory_type),
          topic: n.type === "topic",
        },
      })),
      ...data.edges.map((e, i) => ({
        data: { id: `e${i}`, source: e.source, target: e.target, label: e.type },
      })),
    ],
    style: [
      {
        selector: "node",
        style: {
          "background-color": "data(color)",
          label: "data(label)",
          "font-size": 8,
          color: "#343a40",
          "text-wrap": "wrap",
          "text-max-width": 110,
          "text-valign": "bottom",
          "text-margin-y": 3,
          width: 12,
          height: 12,
        },
      },
      { selector: "node[?topic]", style: { width: 24, height: 24, shape: "round-rectangle" } },
      {
        selector: "edge",
        style: {
          width: 1.2,
          "line-color": "#ced4da",
          "target-arrow-color": "#ced4da",
          "target-arrow-shape": "triangle",
          "curve-style": "bezier",
          label: "data(label)",
          "font-size": 7,
          color: "#868e96",
        },
      },
    ],
    layout:
      data.nodes.length > 150
        ? { name: "concentric", animate: false }
        : { name: "cose", animate: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 60, padding: 40 },
    maxZoom: 1.6,
    wheelSensitivity: 0.3,
  });
  cy.on("tap", "node", (e) => {
    location.hash = `#/memory?cube=${encodeURIComponent(cube)}&id=${encodeURIComponent(e.target.id())}`;
  });
  box.dataset.nodes = String(cy.nodes().length);
}
