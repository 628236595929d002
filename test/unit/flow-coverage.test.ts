// Flow coverage without a phone tree: hand-made maps and walks, the recorder writing a hand-made
// call's walk to a folder, and reading folders that hold files the recorder did not write.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { COVERAGE_ENV, flowCoverage, isStateNode, readWalks, recordCoverage, type RecordableCall } from "../../src/testing/flow/coverage";
import { edgeKey, ERROR_ID, HANGUP_ID, START_ID, type FlowEdge, type FlowMap, type FlowNode } from "../../src/testing/flow/graph";
import type { Walk } from "../../src/testing/flow/walk";
import type { TracedStep, TranscriptEntry } from "../../src/testing";

const node = (id: string, kind: FlowNode["kind"]): FlowNode => ({ id, label: id, kind, prompt: "" });
const edge = (from: string, to: string, kind: FlowEdge["kind"], inputs: string[] = []): FlowEdge => ({ from, to, kind, inputs });

/** (call) -> MENU; MENU -1-> A (menu) -> hangup; MENU -2-> CHECK (branching) -> B (end); MENU silence -> queue:support; MENU -9-> error. */
const MAP: FlowMap = {
  uri: "/incoming-call",
  nodes: [
    node(START_ID, "start"),
    node("MENU", "menu"),
    node("A", "normal"),
    node("CHECK", "branching"),
    node("B", "end"),
    node("queue:support", "queue"),
    node(HANGUP_ID, "hangup"),
    node(ERROR_ID, "error"),
  ],
  edges: [
    edge(START_ID, "MENU", "call"),
    edge("MENU", "A", "key", ["1"]),
    edge("A", HANGUP_ID, "hangup"),
    edge("MENU", "CHECK", "key", ["2"]),
    edge("CHECK", "B", "branch"),
    edge("B", HANGUP_ID, "hangup"),
    edge("MENU", "queue:support", "silence"),
    edge("MENU", ERROR_ID, "error"),
  ],
  steps: 4,
  truncated: false,
};

function walk(nodes: [string, FlowNode["kind"]][], edges: [string, string, FlowEdge["kind"], string?][]): Walk {
  return {
    nodes: nodes.map(([id, kind]) => node(id, kind)),
    edges: edges.map(([from, to, kind, input]) => (input === undefined ? { from, to, kind } : { from, to, kind, input })),
    current: nodes.at(-1)?.[0] ?? START_ID,
  };
}

const PRESS_1 = walk(
  [[START_ID, "start"], ["MENU", "menu"], ["A", "normal"], [HANGUP_ID, "hangup"]],
  [[START_ID, "MENU", "call"], ["MENU", "A", "key", "1"], ["A", HANGUP_ID, "hangup"]],
);
const PRESS_2_WAITING = walk(
  [[START_ID, "start"], ["MENU", "menu"], ["CHECK", "branching"], ["B", "end"]],
  [[START_ID, "MENU", "call"], ["MENU", "CHECK", "key", "2"], ["CHECK", "B", "branch"]],
);

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "flow-coverage-unit-"));
});
afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("flowCoverage over walks", () => {
  it("counts nothing walked when there are no walks", () => {
    const coverage = flowCoverage(MAP, []);
    expect(coverage.nodes.size).toBe(0);
    expect(coverage.edges.size).toBe(0);
    // States: MENU, A, CHECK, B (not the call, hangup, error or the queue).
    expect(coverage.states).toEqual({ walked: 0, total: 4 });
    expect(coverage.edgeTotals).toEqual({ walked: 0, total: 8 });
    expect(coverage.calls).toBe(0);
  });

  it("marks the edges walked by their ends and kind, whatever was pressed, and the nodes visited", () => {
    // Pressed 7 where the map says 1: still the MENU -key-> A edge.
    const other = walk([[START_ID, "start"], ["MENU", "menu"], ["A", "normal"]], [[START_ID, "MENU", "call"], ["MENU", "A", "key", "7"]]);
    const coverage = flowCoverage(MAP, [other]);
    expect([...coverage.edges].sort()).toEqual([edgeKey({ from: START_ID, to: "MENU", kind: "call" }), edgeKey({ from: "MENU", to: "A", kind: "key" })].sort());
    expect([...coverage.nodes].sort()).toEqual([START_ID, "A", "MENU"].sort());
    expect(coverage.states).toEqual({ walked: 2, total: 4 });
  });

  it("merges several walks: percentages of states and of edges", () => {
    const coverage = flowCoverage(MAP, [PRESS_1, PRESS_2_WAITING, PRESS_1]);
    expect(coverage.calls).toBe(3);
    expect(coverage.states).toEqual({ walked: 4, total: 4 });
    // Walked: call, MENU->A, A->hangup, MENU->CHECK, CHECK->B. Not: B->hangup, silence, error.
    expect(coverage.edgeTotals).toEqual({ walked: 5, total: 8 });
    expect(coverage.edges.has(edgeKey({ from: "B", to: HANGUP_ID, kind: "hangup" }))).toBe(false);
    expect(coverage.edges.has(edgeKey({ from: "MENU", to: "queue:support", kind: "silence" }))).toBe(false);
  });

  it("distinguishes edges between the same nodes by kind", () => {
    // MENU -> A by silence is not the key edge of the map.
    const silent = walk([[START_ID, "start"], ["MENU", "menu"], ["A", "normal"]], [[START_ID, "MENU", "call"], ["MENU", "A", "silence"]]);
    const coverage = flowCoverage(MAP, [silent]);
    expect(coverage.edges.has(edgeKey({ from: "MENU", to: "A", kind: "key" }))).toBe(false);
    expect(coverage.edgeTotals.walked).toBe(1);
  });

  it("ignores walked edges and nodes that are not on the map (a truncated map, another tree)", () => {
    const beyond = walk(
      [[START_ID, "start"], ["MENU", "menu"], ["ELSEWHERE", "normal"]],
      [[START_ID, "MENU", "call"], ["MENU", "ELSEWHERE", "key", "5"], ["ELSEWHERE", HANGUP_ID, "hangup"]],
    );
    const coverage = flowCoverage(MAP, [beyond]);
    expect(coverage.nodes.has("ELSEWHERE")).toBe(false);
    expect(coverage.edgeTotals).toEqual({ walked: 1, total: 8 });
    expect(coverage.states).toEqual({ walked: 1, total: 4 });
  });

  it("counts pages (an app that does not report its states) as states, the map's own nodes not", () => {
    expect(["menu", "normal", "end", "asynchronous", "branching", "page"].every((kind) => isStateNode({ kind: kind as FlowNode["kind"] }))).toBe(true);
    expect(["start", "hangup", "error", "queue"].some((kind) => isStateNode({ kind: kind as FlowNode["kind"] }))).toBe(false);
  });
});

/** A call as the recorder sees it: a transcript and the states each request went through. */
function fakeCall(callSid: string, entries: TranscriptEntry[], traces: Map<TranscriptEntry, TracedStep[]>, failed = false): RecordableCall {
  return { transcript: entries, statesOf: (entry) => traces.get(entry), failed, callSid };
}

/** The call of PRESS_1: the menu, key 1, A says goodbye and hangs up. */
function press1Call(): RecordableCall {
  const first: TranscriptEntry = { type: "request", method: "POST", url: "http://localhost/incoming-call", status: 200 };
  const second: TranscriptEntry = { type: "request", method: "POST", url: "http://localhost/menu-out", status: 200 };
  const entries: TranscriptEntry[] = [
    first,
    { type: "gather", input: ["dtmf"], timeout: 5, action: "http://localhost/menu-out", method: "POST" },
    { type: "say", text: "Press 1.", loop: 1 },
    // A PIN-like input: it must not reach the coverage folder.
    { type: "input", digits: "1" },
    second,
    { type: "say", text: "Your balance is 1234.", loop: 1 },
    { type: "hangup", by: "app" },
  ];
  const traces = new Map<TranscriptEntry, TracedStep[]>([
    [first, [{ state: "MENU", kind: "menu", fn: "twimlFor" }]],
    [
      second,
      [
        { state: "MENU", kind: "menu", fn: "transitionOut" },
        { state: "A", kind: "normal", fn: "twimlFor" },
      ],
    ],
  ]);
  return fakeCall("CA0001", entries, traces);
}

describe("recording walks to a folder", () => {
  it("does nothing without the environment variable", () => {
    recordCoverage(press1Call(), {});
    recordCoverage(press1Call(), { [COVERAGE_ENV]: "" });
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it("writes one file per call, rewritten in place, which flowCoverage reads back", () => {
    const dir = path.join(tmp, "made", "on", "demand");
    const call = press1Call();
    const env = { [COVERAGE_ENV]: dir };
    recordCoverage(call, env);
    recordCoverage(call, env);
    const other = press1Call();
    recordCoverage(other, env);
    const files = fs.readdirSync(dir);
    expect(files).toHaveLength(2);
    expect(files.every((name) => new RegExp(`^walk-${process.pid}-[0-9a-f]+-\\d+-[0-9a-f]+\\.json$`).test(name))).toBe(true);
    const text = fs.readFileSync(path.join(dir, files[0]!), "utf8");
    // What the caller pressed and heard stays out of the file.
    expect(text).not.toContain("1234");
    expect(text).not.toContain("Press 1.");
    expect(text).not.toMatch(/"input"/);
    const { walks, skipped } = readWalks(dir);
    expect(skipped).toEqual([]);
    expect(walks).toHaveLength(2);
    expect(walks[0]!.edges).toEqual(PRESS_1.edges.map(({ from, to, kind }) => ({ from, to, kind })));
    expect(walks[0]!.current).toBe(HANGUP_ID);
    expect(flowCoverage(MAP, dir).edgeTotals).toEqual({ walked: 3, total: 8 });
  });

  it("rewrites a call's file only when its walk changed", () => {
    const dir = path.join(tmp, "changes");
    const env = { [COVERAGE_ENV]: dir };
    const writes = jest.spyOn(fs, "writeFileSync");
    const call = press1Call();
    const entries = call.transcript as TranscriptEntry[];
    const hangup = entries.pop()!;
    recordCoverage(call, env);
    recordCoverage(call, env);
    recordCoverage(call, env);
    expect(writes).toHaveBeenCalledTimes(1);
    expect(readWalks(dir).walks[0]!.current).toBe("A");
    // The app hangs up: a new edge, so the file is rewritten.
    entries.push(hangup);
    recordCoverage(call, env);
    recordCoverage(call, env);
    expect(writes).toHaveBeenCalledTimes(2);
    expect(readWalks(dir).walks[0]!.current).toBe(HANGUP_ID);
    expect(fs.readdirSync(dir)).toHaveLength(1);
  });

  it("warns once on stderr when the folder cannot be written, and never throws", () => {
    const blocker = path.join(tmp, "a-file");
    fs.writeFileSync(blocker, "not a folder");
    const writes: string[] = [];
    jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const env = { [COVERAGE_ENV]: path.join(blocker, "coverage") };
    expect(() => {
      recordCoverage(press1Call(), env);
      recordCoverage(press1Call(), env);
    }).not.toThrow();
    expect(writes).toHaveLength(1);
    expect(writes[0]).toContain("cannot record flow coverage");
    expect(writes[0]).toContain(COVERAGE_ENV);
  });
});

describe("reading a folder", () => {
  it("skips files it did not write, lists them, and reads the walks among them", () => {
    const env = { [COVERAGE_ENV]: tmp };
    recordCoverage(press1Call(), env);
    fs.writeFileSync(path.join(tmp, "broken.json"), "{ not json");
    fs.writeFileSync(path.join(tmp, "foreign.json"), JSON.stringify({ hello: "world" }));
    fs.writeFileSync(path.join(tmp, "future.json"), JSON.stringify({ format: "twilio-interactive-flow/walk", version: 99, nodes: [], edges: [], current: "(call)" }));
    fs.writeFileSync(
      path.join(tmp, "bad-edge.json"),
      JSON.stringify({ format: "twilio-interactive-flow/walk", version: 1, nodes: [], edges: [{ from: "A", to: "B", kind: "teleport" }], current: "(call)" }),
    );
    fs.mkdirSync(path.join(tmp, "folder.json"));
    // Not .json: not even looked at (e.g. a write in progress).
    fs.writeFileSync(path.join(tmp, "notes.txt"), "ignored");
    fs.writeFileSync(path.join(tmp, "walk-1.json.part"), "{");

    const { walks, skipped } = readWalks(tmp);
    expect(walks).toHaveLength(1);
    expect(skipped.sort()).toEqual(["bad-edge.json", "broken.json", "folder.json", "foreign.json", "future.json"]);
    const coverage = flowCoverage(MAP, tmp);
    expect(coverage.calls).toBe(1);
    expect(coverage.skipped).toHaveLength(5);
    expect(coverage.edgeTotals).toEqual({ walked: 3, total: 8 });
  });

  it("throws a clear error for a folder that does not exist", () => {
    expect(() => flowCoverage(MAP, path.join(tmp, "missing"))).toThrow(/ENOENT/);
  });
});
