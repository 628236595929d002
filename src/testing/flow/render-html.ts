import { isStateNode } from "./coverage";
import type { FlowCoverage, FlowMap, FlowNodeKind } from "./graph";
import { coverageSummary, displayText, NODE_KIND_ORDER, NODE_STYLES, UNWALKED_COLOR } from "./render-dot";
import { toSvg } from "./render-svg";

// One self-contained HTML page showing a flow map: heading, counts, coverage, the SVG drawing
// inline, a legend. No scripts, no external fonts, styles or images: it opens from a file, offline.

/** Options of {@link toHtml}. */
export interface HtmlOptions {
  /** Marks what recorded calls did not walk, and shows the percentages covered. */
  coverage?: FlowCoverage;
  /** The page's heading and title. Default `Call flow: <uri>`. */
  title?: string;
}

/** Text escaped for HTML content and attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A small picture of each node shape for the legend (36×22, same colours as the drawing). */
function legendShape(kind: FlowNodeKind): string {
  const fill = NODE_STYLES[kind].fill;
  const stroke = 'stroke="#555555" stroke-width="1"';
  let shape: string;
  switch (kind) {
    case "start":
      shape = `<ellipse cx="18" cy="11" rx="16" ry="9" fill="${fill}" ${stroke}/>`;
      break;
    case "menu":
    case "normal":
      shape = `<rect x="2" y="2" width="32" height="18" rx="5" fill="${fill}" ${stroke}/>`;
      break;
    case "end":
      shape = `<rect x="1" y="1" width="34" height="20" rx="6" fill="none" ${stroke}/><rect x="4" y="4" width="28" height="14" rx="4" fill="${fill}" ${stroke}/>`;
      break;
    case "asynchronous":
      shape = `<rect x="5" y="2" width="29" height="18" fill="${fill}" ${stroke}/><rect x="2" y="5" width="6" height="4" fill="${fill}" ${stroke}/><rect x="2" y="13" width="6" height="4" fill="${fill}" ${stroke}/>`;
      break;
    case "branching":
      shape = `<polygon points="18,1 35,11 18,21 1,11" fill="${fill}" ${stroke}/>`;
      break;
    case "queue":
      shape = `<path d="M8 5 A10 3 0 0 1 28 5 V17 A10 3 0 0 1 8 17 Z" fill="${fill}" ${stroke}/><path d="M8 5 A10 3 0 0 0 28 5" fill="none" ${stroke}/>`;
      break;
    case "hangup":
      shape = `<circle cx="18" cy="11" r="10" fill="${fill}" ${stroke}/><circle cx="18" cy="11" r="7" fill="none" ${stroke}/>`;
      break;
    case "error":
      shape = `<polygon points="12,1 24,1 32,6 32,16 24,21 12,21 4,16 4,6" fill="${fill}" ${stroke}/>`;
      break;
    case "page":
      shape = `<path d="M8 1 H24 L30 7 V21 H8 Z" fill="${fill}" ${stroke}/>`;
      break;
  }
  return `<svg class="swatch" width="36" height="22" viewBox="0 0 36 22" aria-hidden="true">${shape}</svg>`;
}

function edgeSwatch(dashed: boolean): string {
  const color = dashed ? UNWALKED_COLOR : "#444444";
  const dash = dashed ? ' stroke-dasharray="4 3"' : "";
  return (
    `<svg class="swatch" width="36" height="22" viewBox="0 0 36 22" aria-hidden="true">` +
    `<line x1="2" y1="11" x2="28" y2="11" stroke="${color}" stroke-width="1.5"${dash}/>` +
    `<polygon points="28,7 35,11 28,15" fill="${color}"/></svg>`
  );
}

const STYLE = `
:root { color-scheme: light; }
body { margin: 0; padding: 16px 24px 32px; font: 14px/1.45 Helvetica, Arial, "Liberation Sans", sans-serif; color: #1a1a1a; background: #ffffff; }
h1 { font-size: 22px; margin: 0 0 4px; overflow-wrap: anywhere; }
.uri { margin: 0 0 12px; color: #555555; overflow-wrap: anywhere; }
.counts, .coverage { margin: 4px 0; }
.coverage { font-weight: bold; }
.warning { margin: 8px 0; padding: 8px 12px; border-left: 4px solid #e0a800; background: #fff8e1; }
.drawing { margin: 16px 0; overflow: auto; border: 1px solid #dddddd; border-radius: 6px; padding: 8px; background: #ffffff; }
.drawing > svg { display: block; height: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 0; padding: 0; list-style: none; font-size: 13px; }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { flex: none; }
`;

/** The SVG's natural width in CSS pixels (Graphviz gives it in points), or undefined. */
function naturalWidthPx(svg: string): number | undefined {
  const match = /<svg\b[^>]*\bwidth="([0-9.]+)pt"/.exec(svg);
  if (match?.[1] === undefined) return undefined;
  const points = Number(match[1]);
  return Number.isFinite(points) && points > 0 ? Math.ceil((points * 4) / 3) : undefined;
}

/**
 * One self-contained HTML page showing the map: a heading, the counts (states, edges, steps, a
 * warning when exploration was truncated), the coverage summary when given, the SVG drawing
 * inline (scaled down to fit the width, never below three quarters of its size: larger maps
 * scroll), and a legend.
 * No scripts and nothing loaded from elsewhere. All text is escaped.
 */
export async function toHtml(map: FlowMap, options: HtmlOptions = {}): Promise<string> {
  const { coverage } = options;
  const title = options.title !== undefined && displayText(options.title) !== "" ? displayText(options.title) : `Call flow: ${displayText(map.uri)}`;
  // The page shows the title and the coverage summary itself: the drawing goes without.
  const svg = await toSvg(map, { ...(coverage === undefined ? {} : { coverage }), heading: false });
  const width = naturalWidthPx(svg);
  // Fit the width, but never upscale, and never shrink below three quarters of the natural size
  // (11 px text): a larger map scrolls inside its box instead.
  const sizing = width === undefined ? "width: 100%;" : `width: min(${width}px, max(100%, ${Math.ceil((width * 3) / 4)}px));`;

  const states = map.nodes.filter(isStateNode).length;
  const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  const counts = `${plural(states, "state", "states")} · ${plural(map.edges.length, "edge", "edges")} · ${plural(map.steps, "step", "steps")} explored`;

  const kinds = new Set(map.nodes.map((n) => n.kind));
  const legend: string[] = [];
  for (const kind of NODE_KIND_ORDER) {
    if (!kinds.has(kind)) continue;
    legend.push(`<li>${legendShape(kind)}<span>${escapeHtml(NODE_STYLES[kind].description)}</span></li>`);
  }
  if (map.nodes.some((n) => n.sensitive)) legend.push(`<li><span class="swatch-text">(sensitive)</span><span>state whose caller input is secret (thick border)</span></li>`);
  legend.push(`<li>${edgeSwatch(false)}<span>caller action or transition</span></li>`);
  if (coverage) legend.push(`<li>${edgeSwatch(true)}<span>not walked by the recorded calls (red, dashed)</span></li>`);

  const parts = [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}.drawing > svg { ${sizing} }\n</style>`,
    "</head>",
    "<body>",
    "<header>",
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="uri">Explored from <code>${escapeHtml(map.uri)}</code></p>`,
    `<p class="counts">${escapeHtml(counts)}</p>`,
    coverage ? `<p class="coverage">${escapeHtml(coverageSummary(coverage))}</p>` : "",
    map.truncated
      ? `<p class="warning" role="alert"><strong>Truncated:</strong> exploration stopped after ${escapeHtml(plural(map.steps, "step", "steps"))} with paths left unexplored; the map is incomplete (raise maxSteps).</p>`
      : "",
    "</header>",
    `<main><div class="drawing" id="flow-drawing">${svg}</div></main>`,
    '<footer><h2 style="font-size:15px;margin:8px 0">Legend</h2>',
    `<ul class="legend">${legend.join("")}</ul>`,
    "</footer>",
    "</body>",
    "</html>",
  ];
  return `${parts.filter((p) => p !== "").join("\n")}\n`;
}
