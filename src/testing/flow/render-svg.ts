import type { Viz } from "@viz-js/viz";
import type { FlowMap } from "./graph";
import { toDot, type DotOptions } from "./render-dot";

// The map drawn as SVG, laid out in this process by Graphviz compiled to WebAssembly
// (@viz-js/viz, which embeds its wasm: no system binary, no browser, no download). The package is
// loaded on first use only, so neither the main entry nor simulateCall users load it (the
// type import above is erased).

/** Options of {@link toSvg}: those of {@link toDot}. */
export type SvgOptions = DotOptions;

let vizInstance: Promise<Viz> | undefined;

function loadViz(): Promise<Viz> {
  vizInstance ??= import("@viz-js/viz")
    .then((viz) => viz.instance())
    .catch((err: unknown) => {
      vizInstance = undefined;
      throw err;
    });
  return vizInstance;
}

/** Lays out DOT text with Graphviz (dot engine) and returns the SVG, from `<svg` on (no XML prolog or doctype). */
export async function dotToSvg(dot: string): Promise<string> {
  const viz = await loadViz();
  let result: ReturnType<Viz["render"]>;
  try {
    result = viz.render(dot, { format: "svg", engine: "dot" });
  } catch (err) {
    // A WebAssembly trap (a Graphviz crash) leaves the instance unusable: start afresh next time.
    vizInstance = undefined;
    throw err;
  }
  if (result.status !== "success") {
    const reasons = result.errors.filter((e) => e.level !== "warning").map((e) => e.message.trim());
    throw new Error(`Graphviz could not lay out the flow map: ${reasons.join("; ") || "unknown error"}`);
  }
  const svg = result.output;
  const start = svg.indexOf("<svg");
  return start > 0 ? svg.slice(start) : svg;
}

/**
 * The map as an SVG drawing (the {@link toDot} graph laid out by Graphviz in WebAssembly), ready
 * to save as a `.svg` file or to put inline in HTML: the text starts at `<svg`, without XML prolog.
 */
export async function toSvg(map: FlowMap, options: SvgOptions = {}): Promise<string> {
  return dotToSvg(toDot(map, options));
}
