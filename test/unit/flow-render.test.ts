// The flow map's text drawings: Graphviz DOT and Mermaid. Deterministic, complete (every node's
// name and every edge's label), coverage marked, and hostile names escaped: DOT is proven valid by
// laying it out with Graphviz (WebAssembly) and finding every name in the SVG's text; Mermaid by
// a line grammar and by decoding every label back to the text it shows.
// fast-check prints the seed of a failure; rerun it with FC_SEED=<seed> (and FC_PATH=<path>).
import fc from "fast-check";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { edgeKey, type FlowCoverage, type FlowEdge, type FlowEdgeKind, type FlowMap, type FlowNode, type FlowNodeKind } from "../../src/testing/flow/graph";
import { compactKeys, coverageFraction, displayText, toDot } from "../../src/testing/flow/render-dot";
import { toMermaid } from "../../src/testing/flow/render-mermaid";
import { dotToSvg } from "../../src/testing/flow/render-svg";
import { toDot as exportedToDot, toHtml, toMermaid as exportedToMermaid, toSvg } from "../../src/testing";
import { SAMPLE_UNWALKED_EDGES, sampleCoverage, sampleMap } from "../fixtures/flow/sample-map";

const seed = process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED), ...(process.env.FC_PATH === undefined ? {} : { path: process.env.FC_PATH }) };
jest.setTimeout(120_000);

const clone = (map: FlowMap): FlowMap => JSON.parse(JSON.stringify(map)) as FlowMap;

/** The DOT statement lines of nodes (`"id" [...]`) and edges (`"a" -> "b" [...]`). */
function dotLines(dot: string): { nodes: string[]; edges: string[] } {
  const lines = dot.split("\n").map((l) => l.trim());
  return {
    nodes: lines.filter((l) => l.startsWith('"') && !/^"(?:[^"\\]|\\.)*" -> /.test(l)),
    edges: lines.filter((l) => /^"(?:[^"\\]|\\.)*" -> "/.test(l)),
  };
}

/** Every <text> element's content in an SVG document. */
function svgTexts(svg: string): string[] {
  const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, htmlEntities: true, trimValues: false });
  // Well-formed first (fast-xml-parser's own check, marked deprecated in favour of a separate package).
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  expect(XMLValidator.validate(svg)).toBe(true);
  const doc = parser.parse(svg) as unknown;
  const texts: string[] = [];
  const walk = (value: unknown, key: string): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v, key);
    } else if (typeof value === "object" && value !== null) {
      const record = value as Record<string, unknown>;
      if (key === "text" && typeof record["#text"] === "string") texts.push(record["#text"]);
      for (const [k, v] of Object.entries(record)) if (!k.startsWith("@_")) walk(v, k);
    } else if (key === "text" && typeof value === "string") {
      texts.push(value);
    }
  };
  walk(doc, "");
  return texts;
}

/** How many `<g class="...">` groups of a class the SVG has (Graphviz: one per node, one per edge). */
function countGroups(svg: string, cls: "node" | "edge"): number {
  return svg.split(`<g id="`).filter((chunk) => new RegExp(`^[^"]*" class="${cls}"`).test(chunk)).length;
}

// What the sample map's edges must read as, in the map's order: written out by hand.
const SAMPLE_EDGE_LABELS = [
  "call",
  "press 1",
  "say \u201Csales\u201D",
  "press 2",
  "say \u201Csupport\u201D, \u201Ctechnical support\u201D",
  "press 3",
  "silence",
  "press 0, 4-8, *, #",
  "press 9",
  "say \u201Cgoodbye\u201D",
  "branch",
  "branch",
  "hold",
  "hang up",
  "hang up",
  "redirect",
  "press 1234",
  "silence",
  "branch",
  "branch",
  "press 1",
  "press 2",
  "silence",
  "redirect",
  "redirect",
  "hang up",
  "error",
  "hang up",
];

describe("toDot", () => {
  const dot = toDot(sampleMap);

  it("is deterministic: the same map (or a copy of it) gives byte-identical text", () => {
    expect(toDot(sampleMap)).toBe(dot);
    expect(toDot(clone(sampleMap))).toBe(dot);
    expect(toDot(clone(sampleMap), { coverage: sampleCoverage, title: "T" })).toBe(toDot(sampleMap, { coverage: sampleCoverage, title: "T" }));
    expect(exportedToDot).toBe(toDot);
  });

  it("is a left-to-right digraph with one statement per node and per edge, every id quoted", () => {
    expect(dot.startsWith('digraph "flow" {\n')).toBe(true);
    expect(dot).toMatch(/rankdir=LR/);
    expect(dot.endsWith("}\n")).toBe(true);
    const { nodes, edges } = dotLines(dot);
    expect(nodes).toHaveLength(sampleMap.nodes.length);
    expect(edges).toHaveLength(sampleMap.edges.length);
    sampleMap.nodes.forEach((node, i) => {
      expect(nodes[i]!.startsWith(`"${node.id}" [label="${node.label}`)).toBe(true);
    });
  });

  it("labels every edge with the caller's action, and collapses key runs", () => {
    const { edges } = dotLines(dot);
    expect(SAMPLE_EDGE_LABELS).toHaveLength(sampleMap.edges.length);
    sampleMap.edges.forEach((edge, i) => {
      expect(edges[i]).toContain(`"${edge.from}" -> "${edge.to}" [label="${SAMPLE_EDGE_LABELS[i]!}"`);
    });
  });

  it("shapes and colours nodes by kind, marks sensitive states, and shows a short prompt", () => {
    const line = (id: string): string => dotLines(dot).nodes.find((l) => l.startsWith(`"${id}" `))!;
    expect(line("route-by-hours")).toMatch(/shape=diamond/);
    expect(line("check-pin")).toMatch(/shape=diamond/);
    expect(line("welcome")).toMatch(/shape=box/);
    expect(line("queue:sales")).toMatch(/shape=cylinder/);
    expect(line("(hangup)")).toMatch(/shape=doublecircle/);
    expect(line("(error)")).toMatch(/shape=octagon/);
    expect(line("lookup-account")).toMatch(/shape=component/);
    expect(line("(call)")).toMatch(/shape=ellipse/);
    expect(line("welcome")).not.toBe(line("sales").replace("sales", "welcome")); // menus and states differ in fill
    expect(line("support-pin")).toContain("\\n(sensitive)\"");
    expect(line("support-pin")).toMatch(/penwidth=2/);
    expect(line("sales")).not.toContain("sensitive");
    // A long prompt: quoted, wrapped into lines of about 30 characters, cut near 80 with an ellipsis.
    const label = /label="((?:[^"\\]|\\.)*)"/.exec(line("welcome"))![1]!;
    const lines = label.split("\\n");
    expect(lines[0]).toBe("welcome");
    expect(lines[1]!.startsWith("\u201CWelcome to Foo Corp.")).toBe(true);
    for (const l of lines.slice(1)) expect(Array.from(l).length).toBeLessThanOrEqual(31);
    const prompt = lines.slice(1).join(" ");
    expect(prompt.endsWith("\u2026\u201D")).toBe(true);
    expect(Array.from(prompt).length).toBeLessThanOrEqual(82);
    // Quotes, `<`, `>` and `&` in a prompt are escaped for DOT (and `&` for Graphviz's entities).
    expect(line("billing")).toContain('\u201CBilling <beta> &amp; \\"more\\"\u201D');
    // States without a prompt show only their name.
    expect(line("check-pin")).toContain('[label="check-pin",');
  });

  it("compacts key lists: runs of digits as ranges, *, # last, long lists cut with a count", () => {
    expect(compactKeys(["#", "*", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])).toBe("0-9, *, #");
    expect(compactKeys(["1", "2"])).toBe("1, 2");
    expect(compactKeys(["5", "1", "3"])).toBe("1, 3, 5");
    expect(compactKeys(["1", "2", "3", "7", "8", "9"])).toBe("1-3, 7-9");
    expect(compactKeys(["10", "2", "11"])).toBe("2, 10, 11");
    expect(compactKeys(["1", "3", "5", "7", "9", "*", "#", "00", "12", "99"])).toBe("1, 3, 5, 7, 9, *, # +3 more");
  });

  it("with coverage: unwalked edges and nodes dashed and red, walked ones unchanged, and the percentages", () => {
    const covered = toDot(sampleMap, { coverage: sampleCoverage, title: "Coverage of the sample" });
    expect(covered).toContain('label="Coverage of the sample\\nStates covered: 9/12 (75%), edges covered: 21/28 (75%)"');
    const { nodes, edges } = dotLines(covered);
    const unwalked = new Set(SAMPLE_UNWALKED_EDGES.map(edgeKey));
    sampleMap.edges.forEach((edge, i) => {
      if (unwalked.has(edgeKey(edge))) {
        expect(edges[i]).toMatch(/style=dashed, color="#c62828"/);
      } else {
        expect(edges[i]).not.toMatch(/dashed|#c62828/);
        expect(edges[i]).toBe(dotLines(dot).edges[i]);
      }
    });
    sampleMap.nodes.forEach((node, i) => {
      if (sampleCoverage.nodes.has(node.id)) expect(nodes[i]).toBe(dotLines(dot).nodes[i]);
      else {
        expect(nodes[i]).toMatch(/dashed/);
        expect(nodes[i]).toContain("(not walked)");
      }
    });
    expect(nodes.filter((l) => l.includes("(not walked)"))).toHaveLength(4);
    // heading: false leaves the title and summary out, and nothing else.
    const bare = toDot(sampleMap, { coverage: sampleCoverage, title: "Coverage of the sample", heading: false });
    expect(bare).not.toContain("States covered");
    expect(bare).not.toContain("Coverage of the sample");
    expect(dotLines(bare)).toEqual(dotLines(covered));
  });

  it("gives coverage percentages that never claim 100% or 0% unless exact", () => {
    expect(coverageFraction(9, 12)).toBe("9/12 (75%)");
    expect(coverageFraction(2, 3)).toBe("2/3 (66.7%)");
    expect(coverageFraction(1, 3)).toBe("1/3 (33.3%)");
    expect(coverageFraction(1999, 2000)).toBe("1999/2000 (99.9%)");
    expect(coverageFraction(1, 3000)).toBe("1/3000 (0.1%)");
    expect(coverageFraction(0, 5)).toBe("0/5 (0%)");
    expect(coverageFraction(5, 5)).toBe("5/5 (100%)");
    expect(coverageFraction(0, 0)).toBe("0/0 (100%)");
  });
});

describe("toMermaid", () => {
  const mermaid = toMermaid(sampleMap);

  it("is deterministic and names nodes n0, n1, … in map order", () => {
    expect(toMermaid(clone(sampleMap))).toBe(mermaid);
    expect(exportedToMermaid).toBe(toMermaid);
    const lines = mermaid.split("\n");
    expect(lines[0]).toBe("flowchart LR");
    sampleMap.nodes.forEach((node, i) => {
      expect(lines[1 + i]!.startsWith(`  n${i}`)).toBe(true);
      expect(lines[1 + i]).toContain(`"${node.label.replace(/"/g, "#quot;")}`);
    });
  });

  it("draws every edge with its label, shapes by kind, and classes by kind", () => {
    const index = new Map(sampleMap.nodes.map((n, i) => [n.id, `n${i}`]));
    sampleMap.edges.forEach((edge, i) => {
      const text = SAMPLE_EDGE_LABELS[i]!.replace(/#/g, "#35;").replace(/\*/g, "*");
      expect(mermaid).toContain(`  ${index.get(edge.from)!} -->|"${text}"| ${index.get(edge.to)!}\n`);
    });
    expect(mermaid).toContain(`  ${index.get("route-by-hours")!}{"route-by-hours"}`);
    expect(mermaid).toContain(`  ${index.get("queue:sales")!}[("sales queue<br/>`);
    expect(mermaid).toContain(`  ${index.get("(hangup)")!}((("Hangup")))`);
    expect(mermaid).toContain(`  class ${index.get("welcome")!},${index.get("support-menu")!} menuKind\n`);
    expect(mermaid).toContain(`  class ${index.get("support-pin")!} sensitive\n`);
    expect(mermaid).toContain('<br/>(sensitive)"');
  });

  it("with coverage: unwalked edges dotted and red, unwalked nodes in the unwalked class, a summary comment", () => {
    const covered = toMermaid(sampleMap, { coverage: sampleCoverage });
    expect(covered.split("\n")[1]).toBe("  %% States covered: 9/12 (75%), edges covered: 21/28 (75%)");
    const edgeLines = covered.split("\n").filter((l) => / (-->|-\.->)\|/.test(l));
    const unwalked = new Set(SAMPLE_UNWALKED_EDGES.map(edgeKey));
    const dottedIndexes: number[] = [];
    sampleMap.edges.forEach((edge, i) => {
      if (unwalked.has(edgeKey(edge))) {
        expect(edgeLines[i]).toContain(" -.->|");
        dottedIndexes.push(i);
      } else expect(edgeLines[i]).toContain(" -->|");
    });
    expect(covered).toContain(`  linkStyle ${dottedIndexes.join(",")} stroke:#c62828,color:#c62828\n`);
    const index = new Map(sampleMap.nodes.map((n, i) => [n.id, `n${i}`]));
    const expected = ["lookup-account", "account-ready", "billing", "(error)"].map((id) => index.get(id)!);
    const classLine = covered.split("\n").find((l) => l.endsWith(" unwalked") && l.startsWith("  class "))!;
    expect(classLine.slice("  class ".length, -" unwalked".length).split(",").sort()).toEqual(expected.sort());
  });
});

// ----- hostile names -------------------------------------------------------------------------

const HOSTILE_PIECES = [
  '"', "\\", "\n", "\r\n", "\t", "]", "[", ";", "-->", "-.->", "%%", "|", "{", "}", "`", "'", "<", ">", "&", "&amp;", "&#45;",
  "<b>bold</b>", "<script>alert(1)</script>", "\\n", "\\N", "\\G", "\\l", "\\\"", "#quot;", "#35;", "#", "end", "subgraph",
  "click n0 call x()", "\u0000", "\u0007", "\u2028", "\uD800", "\uDC00", "\u00e9", "\u0301", "\u{1F600}", "\u202E", "  ", "(", ")",
];

const hostileText = fc
  .array(fc.oneof(fc.constantFrom(...HOSTILE_PIECES), fc.string({ unit: "grapheme", maxLength: 6 }), fc.string({ unit: "binary", maxLength: 4 })), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join(""));

const NODE_KINDS: FlowNodeKind[] = ["start", "menu", "normal", "end", "asynchronous", "branching", "queue", "hangup", "error", "page"];
const EDGE_KINDS: FlowEdgeKind[] = ["call", "key", "phrase", "silence", "redirect", "branch", "hold", "hangup", "error", "record", "dial"];

/** A random map whose node ids, names, prompts and inputs are hostile text; ids are distinct. */
const hostileMap: fc.Arbitrary<FlowMap> = fc
  .uniqueArray(hostileText, { minLength: 1, maxLength: 6 })
  .chain((ids) =>
    fc.record({
      nodes: fc.tuple(
        ...ids.map((id) =>
          fc.record({
            id: fc.constant(id),
            label: fc.oneof(fc.constant(id), hostileText),
            kind: fc.constantFrom(...NODE_KINDS),
            prompt: fc.oneof(fc.constant(""), hostileText),
            sensitive: fc.boolean(),
          }),
        ),
      ),
      edges: fc.array(
        fc.record({
          from: fc.constantFrom(...ids),
          to: fc.constantFrom(...ids),
          kind: fc.constantFrom(...EDGE_KINDS),
          inputs: fc.array(hostileText, { maxLength: 3 }),
        }),
        { maxLength: 8 },
      ),
      uri: hostileText,
      steps: fc.nat(1000),
      truncated: fc.boolean(),
    }),
  )
  .map((map) => ({
    ...map,
    nodes: map.nodes.map(({ sensitive, ...node }): FlowNode => (sensitive ? { ...node, sensitive: true } : node)),
    // Edges with the same ends and kind are merged in a real map.
    edges: [...new Map(map.edges.map((e): [string, FlowEdge] => [edgeKey(e), e])).values()],
  }));

/** A coverage that walked every other node and edge. */
function halfCoverage(map: FlowMap): FlowCoverage {
  const nodes = new Set(map.nodes.filter((_, i) => i % 2 === 0).map((n) => n.id));
  const edges = new Set(map.edges.filter((_, i) => i % 2 === 0).map(edgeKey));
  return { nodes, edges, states: { walked: nodes.size, total: map.nodes.length }, edgeTotals: { walked: edges.size, total: map.edges.length } };
}

/** What a label line shows for a node's name (the drawings show names as one line). */
const shownName = (node: FlowNode): string => displayText(node.label) || displayText(node.id) || "(unnamed)";

describe("hostile names", () => {
  it("DOT stays valid: Graphviz lays it out with one node per state and one edge per edge, and every name is a text of the SVG", async () => {
    await fc.assert(
      fc.asyncProperty(hostileMap, fc.boolean(), hostileText, async (map, withCoverage, title) => {
        const dot = toDot(map, withCoverage ? { coverage: halfCoverage(map), title } : {});
        const svg = await dotToSvg(dot);
        expect(countGroups(svg, "node")).toBe(map.nodes.length);
        expect(countGroups(svg, "edge")).toBe(map.edges.length);
        const texts = svgTexts(svg);
        for (const node of map.nodes) {
          const name = shownName(node);
          if (name !== "") expect(texts).toContain(name);
        }
        // Nothing a name carried became markup: the SVG has only Graphviz's own elements.
        const elements = new Set([...svg.matchAll(/<([a-zA-Z][\w:-]*)/g)].map((m) => m[1]));
        for (const el of elements) expect(["svg", "g", "title", "polygon", "ellipse", "path", "polyline", "text"]).toContain(el);
      }),
      { numRuns: 150, ...seed },
    );
  });

  it("Mermaid stays structurally safe: every line matches the grammar, labels hold no raw quote or line break, and decode back to the names", () => {
    const node = /^ {2}n(\d+)(\(\[|\[\[|\(\(\(|\[\/|\[\(|\{\{|\(|>|\{|\[)"([^"\n\r]*)"(\]\)|\]\]|\)\)\)|\/\]|\)\]|\}\}|\)|\]|\})$/;
    const edge = /^ {2}n\d+ (?:-->|-\.->)\|"([^"\n\r]*)"\| n\d+$/;
    const other = [
      /^flowchart LR$/,
      /^ {2}%% States covered: \d+\/\d+ \([\d.]+%\), edges covered: \d+\/\d+ \([\d.]+%\)$/,
      /^ {2}classDef [a-zA-Z]+ [a-z-]+:[#\w.]+(?:[, ][a-z-]+:[#\w. ]+)*$/,
      /^ {2}class n\d+(?:,n\d+)* [a-zA-Z]+$/,
      /^ {2}linkStyle \d+(?:,\d+)* stroke:#c62828,color:#c62828$/,
    ];
    const pairs: Record<string, string> = { "([": "])", "[[": "]]", "(((": ")))", "[/": "/]", "[(": ")]", "{{": "}}", "(": ")", ">": "]", "{": "}", "[": "]" };
    // Inside a label: no character Mermaid could read as syntax, except entity codes and <br/>.
    const safeLabel = /^(?:[^"#&<>;%|[\]{}\\`\n\r]|#quot;|#\d+;|<br\/>)*$/;
    const decode = (text: string): string[] =>
      text.split("<br/>").map((l) => l.replace(/#quot;/g, '"').replace(/#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code))));

    fc.assert(
      fc.property(hostileMap, fc.boolean(), (map, withCoverage) => {
        const mermaid = toMermaid(map, withCoverage ? { coverage: halfCoverage(map) } : {});
        expect(mermaid.endsWith("\n")).toBe(true);
        const lines = mermaid.slice(0, -1).split("\n");
        let nodes = 0;
        let edges = 0;
        for (const line of lines) {
          const n = node.exec(line);
          const e = edge.exec(line);
          if (n) {
            expect(pairs[n[2]!]).toBe(n[4]);
            expect(n[3]).toMatch(safeLabel);
            const index = Number(n[1]);
            expect(decode(n[3]!)[0]).toBe(shownName(map.nodes[index]!));
            nodes++;
          } else if (e) {
            expect(e[1]).toMatch(safeLabel);
            edges++;
          } else {
            expect(other.some((re) => re.test(line)) ? line : `unexpected line: ${JSON.stringify(line)}`).toBe(line);
          }
        }
        expect(nodes).toBe(map.nodes.length);
        expect(edges).toBe(map.edges.length);
      }),
      { numRuns: 300, ...seed },
    );
  });

  it("a node without a name is drawn as (unnamed): an empty first label line followed by non-ASCII text crashes Graphviz 16.1", async () => {
    const prompt = "\u51b5".repeat(60);
    const map: FlowMap = { uri: "/", nodes: [{ id: "", label: " ", kind: "normal", prompt }], edges: [], steps: 0, truncated: false };
    const svg = await dotToSvg(toDot(map));
    expect(svgTexts(svg)[0]).toBe("(unnamed)");
    // The raw form that crashes the WebAssembly build (a trap, not a Graphviz error): whatever it
    // does, the next layout still works, on a fresh instance if need be.
    const crashing = `digraph { u [label="\\n${"\u00e9".repeat(30)}\\nab"] }`;
    await dotToSvg(crashing).catch(() => undefined);
    expect(await dotToSvg('digraph { "still works" }')).toContain("still works");
  });

  it("the SVG and HTML of a hostile map are produced by the exported API without error", async () => {
    const [map] = fc.sample(hostileMap, { numRuns: 1, seed: 42 });
    expect(await toSvg(map!)).toMatch(/^<svg[\s>]/);
    expect(await toHtml(map!)).toMatch(/^<!DOCTYPE html>/);
  });
});
