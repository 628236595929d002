// Coverage recording across processes: two Node processes make simulated calls to a small tree
// with TWILIO_FLOW_COVERAGE naming one folder (as Jest workers would), then the folder is read
// against the tree's map. mapFlow's own exploration records nothing.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { COVERAGE_ENV, flowCoverage, mapFlow, readWalks, simulateCall, type FlowMap } from "../../../src/testing";
import { edgeKey, ERROR_ID, HANGUP_ID, START_ID } from "../../../src/testing/flow/graph";
import { bundleEntry, type Bundle } from "../../helpers/app-process";
import { coverageTree, URI } from "./coverage-tree";
import { restoreEnvAfterEach } from "../../helpers/run-node";

const run = promisify(execFile);

let bundle: Bundle;
let tmp: string;
let map: FlowMap;

beforeAll(async () => {
  bundle = await bundleEntry(path.join(__dirname, "coverage-caller.ts"), "coverage-caller");
  map = await mapFlow(coverageTree(), { uri: URI });
}, 30_000);

afterAll(() => {
  bundle.remove();
});

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "flow-coverage-"));
});

// The run's own setting (a whole test run may be recording) is put back after each test.
restoreEnvAfterEach(COVERAGE_ENV);

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const key = (from: string, to: string, kind: string): string => edgeKey({ from, to, kind: kind as "key" });

/** Runs the caller process; its output on failure. */
async function caller(which: "a" | "b", dir: string): Promise<void> {
  const env = { ...process.env, [COVERAGE_ENV]: dir };
  await run(process.execPath, [bundle.file, which], { env, timeout: 20_000 });
}

test("the map of the tree is what the coverage below is measured against", () => {
  expect(map.truncated).toBe(false);
  expect(map.nodes.map((n) => n.id).sort()).toEqual([START_ID, HANGUP_ID, "CHECK_OPEN", "GOODBYE", "MENU", "OPEN", "SALES"].sort());
  expect(map.edges.map((e) => edgeKey(e)).sort()).toEqual(
    [
      key(START_ID, "MENU", "call"),
      key("MENU", "SALES", "key"),
      key("MENU", "SALES", "phrase"),
      key("MENU", "CHECK_OPEN", "key"),
      key("MENU", "CHECK_OPEN", "phrase"),
      key("CHECK_OPEN", "OPEN", "branch"),
      key("MENU", "MENU", "silence"),
      key("MENU", "GOODBYE", "silence"),
      key("SALES", HANGUP_ID, "hangup"),
      key("OPEN", HANGUP_ID, "hangup"),
      key("GOODBYE", HANGUP_ID, "hangup"),
    ].sort(),
  );
});

test("calls in two processes record their walks in one folder; flowCoverage reads it against the map", async () => {
  const dir = path.join(tmp, "coverage");
  await Promise.all([caller("a", dir), caller("b", dir)]);

  const files = fs.readdirSync(dir);
  // a: two calls; b: two calls and a fork (its own file). Nothing half-written is left behind.
  expect(files).toHaveLength(5);
  expect(files.every((name) => name.endsWith(".json"))).toBe(true);
  // Two processes: two pids in the names.
  expect(new Set(files.map((name) => name.split("-")[1])).size).toBe(2);

  const { walks, skipped } = readWalks(dir);
  expect(skipped).toEqual([]);
  // The call left waiting at the menu is recorded too, where it stands (twice: a's, and b's call that was forked).
  expect(walks.filter((w) => w.current === "MENU")).toHaveLength(2);
  expect(walks.filter((w) => w.current === HANGUP_ID)).toHaveLength(3);

  const coverage = flowCoverage(map, dir);
  expect(coverage.calls).toBe(5);
  expect([...coverage.edges].sort()).toEqual(
    [
      key(START_ID, "MENU", "call"),
      key("MENU", "SALES", "key"),
      key("MENU", "SALES", "phrase"),
      key("SALES", HANGUP_ID, "hangup"),
      key("MENU", "CHECK_OPEN", "key"),
      key("CHECK_OPEN", "OPEN", "branch"),
      key("OPEN", HANGUP_ID, "hangup"),
    ].sort(),
  );
  const unwalked = map.edges.map((e) => edgeKey(e)).filter((k) => !coverage.edges.has(k));
  expect(unwalked.sort()).toEqual(
    [key("MENU", "CHECK_OPEN", "phrase"), key("MENU", "MENU", "silence"), key("MENU", "GOODBYE", "silence"), key("GOODBYE", HANGUP_ID, "hangup")].sort(),
  );
  expect(coverage.states).toEqual({ walked: 4, total: 5 });
  expect(coverage.edgeTotals).toEqual({ walked: 7, total: 11 });
  expect(coverage.nodes.has("GOODBYE")).toBe(false);
  expect(coverage.nodes.has(ERROR_ID)).toBe(false);
}, 30_000);

test("mapFlow's exploration records nothing; a simulated call in the same process does", async () => {
  process.env[COVERAGE_ENV] = tmp;
  const explored = await mapFlow(coverageTree(), { uri: URI });
  expect(explored.steps).toBeGreaterThan(3);
  expect(fs.readdirSync(tmp)).toEqual([]);

  // The control: the same process, the same folder, a test's call.
  const call = await simulateCall(coverageTree(), { uri: URI });
  await call.silence();
  const files = fs.readdirSync(tmp);
  expect(files).toHaveLength(1);
  const coverage = flowCoverage(explored, tmp);
  expect(coverage.edges.has(key("MENU", "MENU", "silence"))).toBe(true);
  expect(coverage.edgeTotals.walked).toBe(2);
});

test("an unwritable folder warns once and the calls go on", async () => {
  const blocker = path.join(tmp, "file");
  fs.writeFileSync(blocker, "");
  process.env[COVERAGE_ENV] = path.join(blocker, "coverage");
  const writes: string[] = [];
  const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  });
  try {
    const call = await simulateCall(coverageTree(), { uri: URI });
    await call.press("2");
    expect(call.lastSaid).toBe("We are open.");
    await (await simulateCall(coverageTree(), { uri: URI })).press("1");
  } finally {
    spy.mockRestore();
  }
  expect(writes.filter((w) => w.includes("cannot record flow coverage"))).toHaveLength(1);
});
