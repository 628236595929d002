import { edgeKey, type FlowCoverage, type FlowEdge, type FlowMap, type FlowNode, type FlowNodeKind } from "./graph";

// Graphviz DOT for a flow map, plus the wording the other drawings share (node and edge labels,
// the coverage summary). Everything here is a pure function of its input: the same map gives
// byte-identical text.

/** Options of {@link toDot}. */
export interface DotOptions {
  /** Marks what recorded calls did not walk: dashed red edges, dashed red nodes, a summary line. */
  coverage?: FlowCoverage;
  /** A heading drawn above the graph. */
  title?: string;
  /** Draw the title and the coverage summary above the graph. Default true (the HTML page shows them itself). */
  heading?: boolean;
}

/** Colour of what coverage marks as not walked. */
export const UNWALKED_COLOR = "#c62828";

/** How each kind of node is drawn: Graphviz shape and fill colour, and a word for legends. */
export const NODE_STYLES: Readonly<Record<FlowNodeKind, { shape: string; fill: string; description: string }>> = {
  start: { shape: "ellipse", fill: "#d8f0dd", description: "incoming call" },
  menu: { shape: "box", fill: "#d9e8f7", description: "menu" },
  normal: { shape: "box", fill: "#f5f5f5", description: "state" },
  end: { shape: "box", fill: "#fbe3cf", description: "end state (hangs up)" },
  asynchronous: { shape: "component", fill: "#ebe0f5", description: "asynchronous state (background work)" },
  branching: { shape: "diamond", fill: "#fff2bf", description: "branching state (picks the next state)" },
  queue: { shape: "cylinder", fill: "#d5efef", description: "queue (caller on hold)" },
  hangup: { shape: "doublecircle", fill: "#e0e0e0", description: "hangup" },
  error: { shape: "octagon", fill: "#f6cccc", description: "error (a step failed)" },
  page: { shape: "note", fill: "#ffffff", description: "page (state unknown)" },
};

/** The order legends list the kinds in. */
export const NODE_KIND_ORDER: readonly FlowNodeKind[] = ["start", "menu", "normal", "branching", "asynchronous", "end", "queue", "hangup", "error", "page"];

const PROMPT_LINE = 30;
const PROMPT_MAX = 80;
const ELLIPSIS = "\u2026";

/**
 * Text as one displayable line: ill-formed UTF-16 replaced, control characters and line breaks
 * turned into spaces, runs of white space collapsed, trimmed.
 */
export function displayText(text: string): string {
  return text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")
    // eslint-disable-next-line no-control-regex -- control characters are what this replaces
    .replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Cuts text to at most `max` characters (code points), ending with an ellipsis when cut. */
function cap(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  let cut = chars.slice(0, max - 1).join("");
  const space = cut.lastIndexOf(" ");
  if (space >= cut.length - 15 && space > 0) cut = cut.slice(0, space);
  return cut.trimEnd() + ELLIPSIS;
}

/** Wraps text at spaces into lines of about `width` characters; longer words are split. */
function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    let rest = Array.from(word);
    while (rest.length > width) {
      if (line !== "") {
        lines.push(line);
        line = "";
      }
      lines.push(rest.slice(0, width).join(""));
      rest = rest.slice(width);
    }
    const piece = rest.join("");
    if (line === "") line = piece;
    else if (Array.from(line).length + 1 + rest.length <= width) line += ` ${piece}`;
    else {
      lines.push(line);
      line = piece;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/**
 * The lines of a node's label: its name, then its prompt (quoted, wrapped to ~30 characters a
 * line, at most ~80 characters), then the marks: "(sensitive)", and "(not walked)" under coverage.
 */
export function nodeLabelLines(node: FlowNode, coverage?: FlowCoverage): string[] {
  // Never an empty first line: besides showing nothing, Graphviz 16.1 (@viz-js/viz 3.31.0) crashes
  // on a label that starts with an empty line followed by a long line of non-ASCII text.
  const lines = [displayText(node.label) || displayText(node.id) || "(unnamed)"];
  const prompt = displayText(node.prompt);
  if (prompt !== "") {
    const wrapped = wrapText(`\u201C${cap(prompt, PROMPT_MAX)}\u201D`, PROMPT_LINE);
    lines.push(...wrapped);
  }
  if (node.sensitive) lines.push("(sensitive)");
  if (coverage && !coverage.nodes.has(node.id)) lines.push("(not walked)");
  return lines;
}

const EDGE_WORDS: Readonly<Record<FlowEdge["kind"], string>> = {
  call: "call",
  key: "press a key",
  phrase: "say something",
  silence: "silence",
  redirect: "redirect",
  branch: "branch",
  hold: "hold",
  hangup: "hang up",
  error: "error",
  record: "record",
  dial: "dial",
};

const MAX_KEY_ITEMS = 8;
const MAX_PHRASES = 3;
const PHRASE_MAX = 24;

/** Keys in a readable order: single digits (ascending), `*`, `#`, then anything else. */
function keyRank(key: string): [number, string] {
  if (/^[0-9]$/.test(key)) return [0, key];
  if (key === "*") return [1, key];
  if (key === "#") return [2, key];
  return [3, key];
}

/** "0-9, *, #": runs of three or more consecutive single digits collapsed into a range. */
export function compactKeys(keys: readonly string[]): string {
  const unique = [...new Set(keys.map(displayText))].filter((k) => k !== "");
  unique.sort((a, b) => {
    const [ra, ka] = keyRank(a);
    const [rb, kb] = keyRank(b);
    if (ra !== rb) return ra - rb;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const items: string[] = [];
  for (let i = 0; i < unique.length; ) {
    const key = unique[i] ?? "";
    if (/^[0-9]$/.test(key)) {
      let j = i;
      while (j + 1 < unique.length && /^[0-9]$/.test(unique[j + 1] ?? "") && Number(unique[j + 1]) === Number(unique[j]) + 1) j++;
      if (j - i >= 2) {
        items.push(`${key}-${unique[j] ?? ""}`);
        i = j + 1;
        continue;
      }
    }
    items.push(cap(key, PHRASE_MAX));
    i++;
  }
  if (items.length > MAX_KEY_ITEMS) {
    return `${items.slice(0, MAX_KEY_ITEMS - 1).join(", ")} +${items.length - (MAX_KEY_ITEMS - 1)} more`;
  }
  return items.join(", ");
}

/** What an edge's label says: "press 1, 2", `say "sales"`, "silence", "redirect", … */
export function edgeLabel(edge: FlowEdge): string {
  if (edge.kind === "key" && edge.inputs.length > 0) {
    const keys = compactKeys(edge.inputs);
    if (keys !== "") return `press ${keys}`;
  }
  if (edge.kind === "phrase" && edge.inputs.length > 0) {
    const phrases = [...new Set(edge.inputs.map((p) => cap(displayText(p), PHRASE_MAX)))];
    const shown = phrases.slice(0, MAX_PHRASES).map((p) => `\u201C${p}\u201D`);
    const more = phrases.length > MAX_PHRASES ? ` +${phrases.length - MAX_PHRASES} more` : "";
    return `say ${shown.join(", ")}${more}`;
  }
  return EDGE_WORDS[edge.kind];
}

/** `walked/total (p%)`; the percentage never rounds up to 100 or down to 0 unless exact. */
export function coverageFraction(walked: number, total: number): string {
  if (total <= 0) return `${walked}/${total} (100%)`;
  let percent = Math.round((walked * 1000) / total) / 10;
  if (walked < total && percent >= 100) percent = 99.9;
  if (walked > 0 && percent <= 0) percent = 0.1;
  return `${walked}/${total} (${percent}%)`;
}

/** "States covered: a/b (x%), edges covered: c/d (y%)". */
export function coverageSummary(coverage: FlowCoverage): string {
  return (
    `States covered: ${coverageFraction(coverage.states.walked, coverage.states.total)}, ` +
    `edges covered: ${coverageFraction(coverage.edgeTotals.walked, coverage.edgeTotals.total)}`
  );
}

/** True when coverage is given and did not walk the edge. */
export function isUnwalkedEdge(edge: FlowEdge, coverage: FlowCoverage | undefined): boolean {
  return coverage !== undefined && !coverage.edges.has(edgeKey(edge));
}

/**
 * A DOT quoted id: backslashes doubled, quotes escaped, and characters Graphviz cannot take in a
 * string (NUL, other control characters, ill-formed UTF-16) written as `\u{hex}`. Injective: a
 * single backslash only ever starts one of those escapes, so distinct ids stay distinct.
 */
function quoteId(text: string): string {
  const escaped = text
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    // eslint-disable-next-line no-control-regex -- control characters are what this escapes
    .replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
  return `"${escaped}"`;
}

/**
 * A DOT label from display lines: each line escaped (backslash, quote, and `&` so Graphviz shows
 * entity-like text as written), lines joined with `\n` (centred line breaks).
 */
function quoteLabel(lines: readonly string[]): string {
  const escaped = lines.map((line) => line.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/&/g, "&amp;"));
  return `"${escaped.join("\\n")}"`;
}

function attributes(attrs: ReadonlyArray<[string, string]>): string {
  return attrs.map(([name, value]) => `${name}=${value}`).join(", ");
}

const FONT = quoteId("Helvetica");

/**
 * The map as a Graphviz DOT digraph, laid out left to right. Node labels show the state's name
 * and the start of its prompt; shapes and colours show the kind; edge labels the caller's action.
 * With `coverage`, what recorded calls did not walk is dashed and red, and the graph's label says
 * how much was covered. Deterministic: the same map gives the same text.
 */
export function toDot(map: FlowMap, options: DotOptions = {}): string {
  const { coverage, title, heading: withHeading = true } = options;
  const out: string[] = [];
  out.push("digraph \"flow\" {");
  const heading: string[] = [];
  if (title !== undefined && displayText(title) !== "") heading.push(displayText(title));
  if (coverage) heading.push(coverageSummary(coverage));
  const graphAttrs: Array<[string, string]> = [
    ["rankdir", "LR"],
    ["fontname", FONT],
    ["fontsize", "14"],
    ["nodesep", "0.35"],
    ["ranksep", "0.6"],
    ["bgcolor", quoteId("white")],
  ];
  if (withHeading && heading.length > 0) graphAttrs.push(["label", quoteLabel(heading)], ["labelloc", "t"], ["labeljust", "l"]);
  out.push(`  graph [${attributes(graphAttrs)}];`);
  out.push(`  node [${attributes([["fontname", FONT], ["fontsize", "11"], ["style", quoteId("filled")], ["color", quoteId("#555555")], ["margin", quoteId("0.12,0.06")]])}];`);
  out.push(`  edge [${attributes([["fontname", FONT], ["fontsize", "10"], ["color", quoteId("#444444")], ["arrowsize", "0.7"]])}];`);

  for (const node of map.nodes) {
    const look = NODE_STYLES[node.kind];
    const styles = ["filled"];
    if (node.kind === "menu" || node.kind === "normal" || node.kind === "end") styles.push("rounded");
    const unwalked = coverage !== undefined && !coverage.nodes.has(node.id);
    if (unwalked) styles.push("dashed");
    const attrs: Array<[string, string]> = [
      ["label", quoteLabel(nodeLabelLines(node, coverage))],
      ["shape", look.shape],
      ["style", quoteId(styles.join(","))],
      ["fillcolor", quoteId(look.fill)],
    ];
    if (node.kind === "end") attrs.push(["peripheries", "2"]);
    if (node.sensitive) attrs.push(["penwidth", "2"]);
    if (unwalked) attrs.push(["color", quoteId(UNWALKED_COLOR)], ["fontcolor", quoteId(UNWALKED_COLOR)]);
    out.push(`  ${quoteId(node.id)} [${attributes(attrs)}];`);
  }

  for (const edge of map.edges) {
    const attrs: Array<[string, string]> = [["label", quoteLabel([edgeLabel(edge)])]];
    if (edge.kind === "redirect" || edge.kind === "branch") attrs.push(["arrowhead", "vee"]);
    if (isUnwalkedEdge(edge, coverage)) {
      attrs.push(["style", "dashed"], ["color", quoteId(UNWALKED_COLOR)], ["fontcolor", quoteId(UNWALKED_COLOR)]);
    } else if (edge.kind === "error") {
      attrs.push(["color", quoteId("#b71c1c")]);
    }
    out.push(`  ${quoteId(edge.from)} -> ${quoteId(edge.to)} [${attributes(attrs)}];`);
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}
