// `npm run soak` (scripts/soak.mjs), run for a few seconds as a real process: it starts its own
// redis-server and the Foo Corp example server, walks the tree with simulated signed calls, checks
// the call sessions in Redis, and reports. The library and the testing kit are bundled from src/
// (never dist/, which other checks may be using). No timing is asserted here: the figures are
// the soak's own report.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { bundleEntry, type Bundle } from "../../helpers/app-process";
import { describeWithRedis } from "../../helpers/redis-server";

jest.setTimeout(90_000);

const REPO = path.resolve(__dirname, "..", "..", "..");
const SCRIPT = path.join(REPO, "scripts", "soak.mjs");
// Tiny bounds. The RSS limit is meant for a real soak: two seconds after a one-second warm-up
// measure the server's start-up, not a leak, so it is relaxed here (the figures are still checked).
const TINY = ["--seconds", "3", "--calls", "10", "--warmup", "1", "--max-rss-growth", "200", "--json"];

interface SoakResult {
  ok: boolean;
  problems: string[];
  calls: { started: number; completed: number; failed: number; byWalk: Record<string, { completed: number; failed: number }> };
  failures: string[];
  session: { weatherLookupsChecked: number; pollCountWrites: number; lostWrites: number; hashesLeftAfterStatusCallback: number; redisKeysAtEnd: number };
  requests: { total: number; measured: number; statusCounts: Record<string, number>; latencyMs: { p50: number; p99: number } };
  serverRss: { baselineBytes: number; endBytes: number; growthPercent: number };
  server: { aliveAtEnd: boolean };
}

function runSoak(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { cwd: REPO, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The script's JSON report; a run that printed none fails with what it wrote to stderr. */
function resultOf(run: { code: number; stdout: string; stderr: string }): SoakResult {
  try {
    return JSON.parse(run.stdout) as SoakResult;
  } catch {
    throw new Error(`the soak printed no JSON report (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

let lib: Bundle;
let testing: Bundle;

beforeAll(async () => {
  lib = await bundleEntry(path.join(REPO, "src", "index.ts"), "soak-lib");
  testing = await bundleEntry(path.join(REPO, "src", "testing", "index.ts"), "soak-testing");
}, 30_000);

afterAll(() => {
  lib.remove();
  testing.remove();
});

describeWithRedis("npm run soak (scripts/soak.mjs), with tiny bounds", () => {
  test("10 calls for 3 s: calls complete, none fails, no session write is lost, Redis is empty at the end; exit 0", async () => {
    const run = await runSoak([...TINY, "--lib", lib.file, "--testing", testing.file]);
    // (stderr is not asserted: redis-server may print warnings about the machine there.)
    const result = resultOf(run);
    expect({ code: run.code, problems: result.problems, failures: result.failures }).toEqual({ code: 0, problems: [], failures: [] });
    expect(result.ok).toBe(true);
    expect(result.calls.completed).toBeGreaterThan(0);
    expect(result.calls.failed).toBe(0);
    expect(result.calls.started).toBe(result.calls.completed);
    expect(result.session.lostWrites).toBe(0);
    expect(result.session.hashesLeftAfterStatusCallback).toBe(0);
    expect(result.session.redisKeysAtEnd).toBe(0);
    // The session-write path was exercised: weather lookups were checked in Redis, polls counted.
    expect(result.session.weatherLookupsChecked).toBeGreaterThan(0);
    expect(result.session.pollCountWrites).toBeGreaterThan(0);
    // Every webhook answered 200, every status callback 204 (one per call).
    expect(Object.keys(result.requests.statusCounts).sort()).toEqual(["200", "204"]);
    expect(result.requests.statusCounts["204"]).toBe(result.calls.completed);
    expect(result.requests.measured).toBeGreaterThan(0);
    expect(result.requests.latencyMs.p99).toBeGreaterThanOrEqual(result.requests.latencyMs.p50);
    expect(result.serverRss.baselineBytes).toBeGreaterThan(0);
    expect(result.serverRss.endBytes).toBeGreaterThan(0);
    expect(Number.isFinite(result.serverRss.growthPercent)).toBe(true);
    expect(result.server.aliveAtEnd).toBe(true);
  });

  test("a store that drops the poll count it is asked to write: the soak counts lost writes and exits 1", async () => {
    // The library as built, but its RedisStore leaves `weatherPolls` out of every compare-and-set
    // (the write of session.update) while reporting success: the calls still hear the weather.
    const lossy = path.join(path.dirname(lib.file), "lossy.cjs");
    fs.writeFileSync(
      lossy,
      `const lib = require(${JSON.stringify(lib.file)});
class LossyStore extends lib.RedisStore {
  compareAndSet(callSid, revision, fields, ttl) {
    const { weatherPolls: _dropped, ...kept } = fields;
    return super.compareAndSet(callSid, revision, kept, ttl);
  }
}
module.exports = { ...lib, RedisStore: LossyStore };
`,
    );
    const run = await runSoak([...TINY, "--lib", lossy, "--testing", testing.file]);
    const result = resultOf(run);
    expect(run.code).toBe(1);
    expect(result.ok).toBe(false);
    expect(result.calls.completed).toBeGreaterThan(0);
    expect(result.session.lostWrites).toBeGreaterThan(0);
    expect(result.problems).toContain(`${result.session.lostWrites} lost session writes`);
  });
});
