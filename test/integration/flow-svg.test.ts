// The flow map laid out by Graphviz (WebAssembly, in this process): the SVG is well-formed XML
// whose <text> elements name every state and label every edge, coverage marks show in it, and the
// HTML page built around it is self-contained (nothing loaded from elsewhere, no scripts) with all
// text escaped. And the WebAssembly package is loaded only when a drawing is asked for.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type * as Esbuild from "esbuild";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { edgeKey } from "../../src/testing/flow/graph";
import { toHtml, toSvg } from "../../src/testing";
import { SAMPLE_STATE_COUNT, SAMPLE_UNWALKED_EDGES, sampleCoverage, sampleMap } from "../fixtures/flow/sample-map";

jest.setTimeout(60_000);
const run = promisify(execFile);
const REPO = path.resolve(__dirname, "..", "..");

/** fast-xml-parser's own well-formedness check (marked deprecated in favour of a separate package). */
function wellFormed(xml: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  return XMLValidator.validate(xml) === true;
}

interface SvgGroup {
  cls: string;
  title: string;
  texts: string[];
  attrs: Array<Record<string, string>>;
}

/** Graphviz's node and edge groups: `<g class="node|edge"><title>…</title>…<text>…</text></g>`. */
function svgGroups(svg: string): SvgGroup[] {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", parseTagValue: false, htmlEntities: true, preserveOrder: true });
  type Item = Record<string, unknown> & { ":@"?: Record<string, string> };
  const doc = parser.parse(svg) as Item[];
  const groups: SvgGroup[] = [];
  const textOf = (children: unknown): string =>
    (children as Item[]).map((c) => (typeof c["#text"] === "string" ? c["#text"] : "")).join("");
  const walk = (items: Item[]): void => {
    for (const item of items) {
      const tag = Object.keys(item).find((k) => k !== ":@")!;
      const children = item[tag] as Item[];
      const cls = item[":@"]?.class;
      if (tag === "g" && (cls === "node" || cls === "edge")) {
        const group: SvgGroup = { cls, title: "", texts: [], attrs: [] };
        for (const child of children) {
          const childTag = Object.keys(child).find((k) => k !== ":@")!;
          if (childTag === "title") group.title = textOf(child[childTag]);
          else if (childTag === "text") group.texts.push(textOf(child[childTag]));
          else if (child[":@"]) group.attrs.push(child[":@"]);
        }
        groups.push(group);
      } else if (Array.isArray(children)) walk(children);
    }
  };
  walk(doc);
  return groups;
}

describe("toSvg", () => {
  let svg: string;
  beforeAll(async () => {
    svg = await toSvg(sampleMap);
  });

  it("is one well-formed SVG document, without XML prolog or doctype", () => {
    expect(wellFormed(svg)).toBe(true);
    expect(svg.startsWith("<svg ")).toBe(true);
    expect(svg).not.toMatch(/<\?xml|<!DOCTYPE/);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toMatch(/viewBox="[\d. ]+"/);
  });

  it("has one node group per node, whose first <text> is the state's name, and shows its prompt", () => {
    const nodes = svgGroups(svg).filter((g) => g.cls === "node");
    expect(nodes).toHaveLength(sampleMap.nodes.length);
    for (const node of sampleMap.nodes) {
      const group = nodes.find((g) => g.title === node.id);
      expect(group?.texts[0]).toBe(node.label);
      if (node.prompt !== "") expect(group!.texts.slice(1).join(" ")).toContain(node.prompt.slice(0, 20));
    }
    const pin = nodes.find((g) => g.title === "support-pin")!;
    expect(pin.texts).toContain("(sensitive)");
    expect(nodes.filter((g) => g.texts.includes("(sensitive)"))).toHaveLength(1);
    expect(nodes.find((g) => g.title === "billing")!.texts.join(" ")).toContain('Billing <beta> & "more"');
  });

  it("has one edge group per edge, labelled with the caller's action", () => {
    const edges = svgGroups(svg).filter((g) => g.cls === "edge");
    expect(edges).toHaveLength(sampleMap.edges.length);
    const labels = edges.map((g) => g.texts.join(" ")).sort();
    expect(labels).toEqual(expect.arrayContaining(["press 0, 4-8, *, #", "silence", "redirect", "hold", "error", "press 1234", "say \u201Csales\u201D"]));
    // Graphviz titles edges "from->to".
    expect(edges.map((g) => g.title)).toContain("welcome->welcome");
    expect(edges.map((g) => g.title)).toContain("lookup-account->lookup-account");
  });

  it("with coverage: exactly the unwalked edges are dashed and red, and the summary is the graph's heading", async () => {
    const covered = await toSvg(sampleMap, { coverage: sampleCoverage, title: "Sample" });
    expect(wellFormed(covered)).toBe(true);
    const groups = svgGroups(covered);
    const edges = groups.filter((g) => g.cls === "edge");
    const dashed = edges.filter((g) => g.attrs.some((a) => a["stroke-dasharray"] !== undefined && a.stroke === "#c62828"));
    expect(dashed).toHaveLength(SAMPLE_UNWALKED_EDGES.length);
    expect(dashed.map((g) => g.title).sort()).toEqual(SAMPLE_UNWALKED_EDGES.map((e) => `${e.from}->${e.to}`).sort());
    const unwalkedNodes = groups.filter((g) => g.cls === "node" && g.texts.includes("(not walked)")).map((g) => g.title);
    expect(unwalkedNodes.sort()).toEqual(sampleMap.nodes.filter((n) => !sampleCoverage.nodes.has(n.id)).map((n) => n.id).sort());
    expect(covered).toContain(">States covered: 9/12 (75%), edges covered: 21/28 (75%)</text>");
    expect(covered).toContain(">Sample</text>");
    expect(new Set(SAMPLE_UNWALKED_EDGES.map(edgeKey)).size).toBe(7);
  });
});

describe("toHtml", () => {
  let html: string;
  beforeAll(async () => {
    html = await toHtml(sampleMap, { coverage: sampleCoverage });
  });

  it("is self-contained: no scripts, no stylesheets, fonts or images from elsewhere, nothing to fetch", () => {
    expect(html.startsWith("<!DOCTYPE html>\n")).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/<img|<iframe|<object|<embed/i);
    expect(html).not.toMatch(/@import|url\s*\(/i);
    // No attribute that loads anything: no src, no href (SVG's xlink:href included), no srcset.
    expect(html).not.toMatch(/\s(?:src|href|xlink:href|srcset|action|data|poster)\s*=/i);
    // The only URLs are the SVG's namespace names (never fetched).
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(["http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"]));
    expect(html).toContain('<meta charset="utf-8">');
  });

  it("has the heading, the counts, the coverage, the drawing and a legend", () => {
    expect(html).toContain("<title>Call flow: /incoming-call</title>");
    expect(html).toContain("<h1>Call flow: /incoming-call</h1>");
    expect(html).toContain(`${SAMPLE_STATE_COUNT} states · 28 edges · 57 steps explored`);
    expect(html).toContain("States covered: 9/12 (75%), edges covered: 21/28 (75%)");
    expect(html).not.toContain("Truncated");
    const drawing = /<div class="drawing" id="flow-drawing">(<svg[\s\S]*<\/svg>)\s*<\/div>/.exec(html);
    expect(drawing).not.toBeNull();
    expect(wellFormed(drawing![1]!)).toBe(true);
    const names = svgGroups(drawing![1]!).filter((g) => g.cls === "node").map((g) => g.texts[0]);
    expect(names.sort()).toEqual(sampleMap.nodes.map((n) => n.label).sort());
    // The page gives the title and summary once, outside the drawing.
    expect(drawing![1]).not.toContain("States covered");
    expect(html.split("States covered").length).toBe(2);
    // The legend names the kinds the map has, and the coverage marks.
    for (const word of ["incoming call", "menu", "branching state", "asynchronous state", "queue", "hangup", "error", "not walked"]) {
      expect(html).toMatch(new RegExp(`<span>${word}[^<]*</span>`));
    }
    expect(html).not.toContain("page (state unknown)");
  });

  it("escapes the title and the URI, and warns when the map is truncated", async () => {
    const hostile = '<script>alert("x")</script> & \'q\'';
    const page = await toHtml({ ...sampleMap, uri: "/in?a=<b>&c=\"d\"", truncated: true, steps: 500 }, { title: hostile });
    expect(page).not.toContain("<script");
    expect(page).toContain("<h1>&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;q&#39;</h1>");
    expect(page).toContain("<code>/in?a=&#60;b&#62;&#38;c=&#34;d&#34;</code>");
    expect(page).toMatch(/<p class="warning" role="alert"><strong>Truncated:<\/strong> exploration stopped after 500 steps/);
    // No coverage given: no coverage line and no unwalked marks.
    expect(page).not.toContain("States covered");
    expect(page).not.toContain("(not walked)");
  });

  it("sizes the drawing to fit the width without upscaling or shrinking below three quarters", () => {
    const width = /<svg width="([\d.]+)pt"/.exec(html)![1]!;
    const px = Math.ceil((Number(width) * 4) / 3);
    expect(html).toContain(`.drawing > svg { width: min(${px}px, max(100%, ${Math.ceil((px * 3) / 4)}px)); }`);
  });
});

describe("loading", () => {
  // The testing entry bundled as tsup builds it (its dependencies external), run in a fresh Node
  // process: importing it, and simulating a call, must not load @viz-js/viz; toSvg then loads it.
  const BUILD_DIR = path.join(REPO, "node_modules", ".cache", `flow-svg-test-${process.pid}`);
  afterAll(() => {
    fs.rmSync(BUILD_DIR, { recursive: true, force: true });
  });

  it("loads the WebAssembly Graphviz only when a drawing is made (CommonJS and ESM builds)", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require("esbuild") as typeof Esbuild;
    const entry = path.join(REPO, "src", "testing", "index.ts");
    for (const format of ["cjs", "esm"] as const) {
      await esbuild.build({ entryPoints: [entry], bundle: true, platform: "node", target: "node20", format, packages: "external", outfile: path.join(BUILD_DIR, `testing.${format === "cjs" ? "cjs" : "mjs"}`), logLevel: "silent" });
    }
    const map = JSON.stringify({ uri: "/", nodes: [{ id: "a", label: "alpha", kind: "normal", prompt: "" }], edges: [], steps: 0, truncated: false });
    // A resolve hook sees every ESM import (the bundles keep \`import()\`); require.cache every require.
    const hook = path.join(BUILD_DIR, "hook.mjs");
    fs.writeFileSync(
      hook,
      [
        "let port;",
        "export function initialize(data) { port = data.port; }",
        'export async function resolve(spec, ctx, next) { if (spec.includes("@viz-js")) port.postMessage(spec); return next(spec, ctx); }',
      ].join("\n"),
    );
    for (const [format, file] of [["cjs", "testing.cjs"], ["esm", "testing.mjs"]] as const) {
      const script = `
        import { register, createRequire } from "node:module";
        import { MessageChannel } from "node:worker_threads";
        const { port1, port2 } = new MessageChannel();
        let hooked = 0;
        port1.on("message", () => { hooked++; });
        port1.unref();
        register(${JSON.stringify(`file://${hook}`)}, { data: { port: port2 }, transferList: [port2] });
        const require = createRequire(${JSON.stringify(`file://${path.join(BUILD_DIR, "x.cjs")}`)});
        const loaded = async () => { await new Promise((r) => setTimeout(r, 50)); return hooked + Object.keys(require.cache).filter((k) => k.includes("@viz-js")).length; };
        const t = ${format === "cjs" ? `require(${JSON.stringify(path.join(BUILD_DIR, file))})` : `await import(${JSON.stringify(`file://${path.join(BUILD_DIR, file)}`)})`};
        const before = await loaded();
        const svg = await t.toSvg(${map});
        console.log(JSON.stringify({ before, after: (await loaded()) > 0, ok: svg.includes(">alpha</text>") }));`;
      const out = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: REPO });
      expect({ format, ...JSON.parse(out.stdout) }).toEqual({ format, before: 0, after: true, ok: true });
    }
  });
});
