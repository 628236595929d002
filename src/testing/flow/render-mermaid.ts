import type { FlowCoverage, FlowMap, FlowNodeKind } from "./graph";
import { coverageSummary, edgeLabel, isUnwalkedEdge, NODE_KIND_ORDER, NODE_STYLES, nodeLabelLines, UNWALKED_COLOR } from "./render-dot";

// Mermaid flowchart for a flow map. Node ids are n0, n1, … in map order (a state's name is never
// an id); every label is quoted with Mermaid's entity codes for anything that could end or
// reinterpret it, so a hostile name cannot break out of its label.

/** Options of {@link toMermaid}. */
export interface MermaidOptions {
  /** Marks what recorded calls did not walk: dotted red edges, a `unwalked` class on nodes, a summary comment. */
  coverage?: FlowCoverage;
}

/** Shape brackets by kind: `open` + quoted label + `close`. */
const SHAPES: Readonly<Record<FlowNodeKind, [string, string]>> = {
  start: ["([", "])"],
  menu: ["[[", "]]"],
  normal: ["(", ")"],
  end: [">", "]"],
  asynchronous: ["[/", "/]"],
  branching: ["{", "}"],
  queue: ["[(", ")]"],
  hangup: ["(((", ")))"],
  error: ["{{", "}}"],
  page: ["[", "]"],
};

/**
 * Text for inside a Mermaid quoted label: `"` as `#quot;`, and every character Mermaid or the
 * HTML it renders to could read as syntax (`#`, `&`, `<`, `>`, `;`, `%`, `|`, brackets, backslash,
 * backtick) as a numeric entity code `#NN;`. Line breaks never occur (labels are display text).
 */
function mermaidText(text: string): string {
  return text.replace(/["#&<>;%|[\]{}\\`]/g, (c) => (c === '"' ? "#quot;" : `#${c.codePointAt(0) ?? 0};`));
}

function label(lines: readonly string[]): string {
  return `"${lines.map(mermaidText).join("<br/>")}"`;
}

function classStyle(fill: string): string {
  return `fill:${fill},stroke:#555555,color:#111111`;
}

/**
 * The map as a Mermaid `flowchart LR`: shapes by kind (the same colours as the DOT drawing), edge
 * labels saying the caller's action. With `coverage`, unwalked edges are dotted (`-.->`) and red,
 * unwalked nodes get the `unwalked` class, and a `%%` comment gives the percentages. Deterministic.
 */
export function toMermaid(map: FlowMap, options: MermaidOptions = {}): string {
  const { coverage } = options;
  const out: string[] = ["flowchart LR"];
  if (coverage) out.push(`  %% ${coverageSummary(coverage)}`);
  const ids = new Map<string, string>();
  map.nodes.forEach((node, i) => {
    if (!ids.has(node.id)) ids.set(node.id, `n${i}`);
  });
  const idOf = (nodeId: string): string => {
    let id = ids.get(nodeId);
    if (id === undefined) {
      // An edge to a node the map does not list: give it an id of its own (drawn as a plain box).
      id = `n${ids.size}`;
      ids.set(nodeId, id);
    }
    return id;
  };

  const byKind = new Map<FlowNodeKind, string[]>();
  const sensitive: string[] = [];
  const unwalked: string[] = [];
  for (const node of map.nodes) {
    const id = idOf(node.id);
    const [open, close] = SHAPES[node.kind];
    out.push(`  ${id}${open}${label(nodeLabelLines(node, coverage))}${close}`);
    byKind.set(node.kind, [...(byKind.get(node.kind) ?? []), id]);
    if (node.sensitive) sensitive.push(id);
    if (coverage && !coverage.nodes.has(node.id)) unwalked.push(id);
  }
  const unwalkedLinks: number[] = [];
  map.edges.forEach((edge, i) => {
    const dotted = isUnwalkedEdge(edge, coverage);
    if (dotted) unwalkedLinks.push(i);
    out.push(`  ${idOf(edge.from)} ${dotted ? "-.->" : "-->"}|${label([edgeLabel(edge)])}| ${idOf(edge.to)}`);
  });

  for (const kind of NODE_KIND_ORDER) {
    const members = byKind.get(kind);
    if (members === undefined) continue;
    // Class names get a suffix: `end` alone is a Mermaid keyword.
    out.push(`  classDef ${kind}Kind ${classStyle(NODE_STYLES[kind].fill)}`);
    out.push(`  class ${members.join(",")} ${kind}Kind`);
  }
  if (sensitive.length > 0) {
    out.push("  classDef sensitive stroke-width:3px");
    out.push(`  class ${sensitive.join(",")} sensitive`);
  }
  if (unwalked.length > 0) {
    out.push(`  classDef unwalked stroke:${UNWALKED_COLOR},stroke-dasharray:5 5,color:${UNWALKED_COLOR}`);
    out.push(`  class ${unwalked.join(",")} unwalked`);
  }
  if (unwalkedLinks.length > 0) {
    out.push(`  linkStyle ${unwalkedLinks.join(",")} stroke:${UNWALKED_COLOR},color:${UNWALKED_COLOR}`);
  }
  return `${out.join("\n")}\n`;
}
