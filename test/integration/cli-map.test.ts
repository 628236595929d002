// `twilio-interactive-flow map <url>`, run as a real process against the Foo Corp example (created
// with `trace: true`) and small trees listening on a port: the drawings it writes, the summary and
// coverage it prints, its exit codes.
import { execFile } from "node:child_process";
import fs from "node:fs";
import type http from "node:http";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import * as library from "../../src";
import { parseCommandLine, UsageError, formatOfFile } from "../../src/cli/args";
import { COVERAGE_ENV, flowCoverage, mapFlow, simulateCall, type FlowMap } from "../../src/testing";
import { coverageSummary } from "../../src/testing/flow/render-dot";
import { createApp, createFakeWeatherService } from "../helpers/example";
import { envWithout, restoreEnvAfterEach, runNode, type NodeRun } from "../helpers/run-node";
import { listenLoopback } from "../helpers/loopback";

const REPO = path.resolve(__dirname, "..", "..");
// Built from src/cli with tsup, as cli.test.ts does (never into dist/, which other checks may use).
const BUILD_DIR = path.join(REPO, "node_modules", ".cache", `cli-map-test-${process.pid}`);
const CLI = path.join(BUILD_DIR, "index.js");
const TOKEN = "map-secret-51c0ffee9d2b4e8a";
// (Whether the weather poll waits or reports at once depends on timing: neither is listed.)
const STATES = ["CALL_RECEIVED", "LUNCH_SPECIALS", "HOURS", "HOLD", "WEATHER_LOOKUP", "WEATHER_POLL", "GOODBYE"];

interface Served {
  base: string;
  app: http.RequestListener;
  close: () => Promise<void>;
}

async function serve(makeApp: (host: string) => http.RequestListener): Promise<Served> {
  let app: http.RequestListener | undefined;
  const served = await listenLoopback((host) => (app = makeApp(host)));
  return { base: served.base, app: app as http.RequestListener, close: served.close };
}

const CLEAN_ENV = envWithout("TWILIO_AUTH_TOKEN", COVERAGE_ENV);

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<NodeRun> {
  return runNode(CLI, args, { env: { ...CLEAN_ENV, ...env }, timeoutMs: 20_000 });
}

/** The Foo Corp example as `npm start` serves it with FLOW_TRACE=1, with a weather service that answers at once. */
const exampleApp = (host: string, authToken = ""): http.RequestListener =>
  createApp(library, { host, authToken, trace: true, weatherService: createFakeWeatherService({ delayMs: 0 }) });

let example: Served;
let tmp: string;

beforeAll(async () => {
  await promisify(execFile)(
    path.join(REPO, "node_modules", ".bin", "tsup"),
    ["src/cli/index.ts", "--no-config", "--format", "cjs", "--platform", "node", "--target", "node20", "--out-dir", BUILD_DIR, "--silent"],
    { cwd: REPO },
  );
  example = await serve((host) => exampleApp(host));
}, 60_000);

afterAll(async () => {
  await example.close();
  fs.rmSync(BUILD_DIR, { recursive: true, force: true });
});

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cli-map-"));
});

// The run's own setting (a whole test run may be recording) is put back after each test.
const restoreRecording = restoreEnvAfterEach(COVERAGE_ENV);

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The summary line: "Mapped <url>: N nodes (S states), E edges, K steps…". */
function summary(stderr: string): { nodes: number; states: number; edges: number; steps: number } {
  const match = /^Mapped \S+: (\d+) nodes \((\d+) states\), (\d+) edges, (\d+) steps/m.exec(stderr);
  if (match === null) throw new Error(`no summary in:\n${stderr}`);
  return { nodes: Number(match[1]), states: Number(match[2]), edges: Number(match[3]), steps: Number(match[4]) };
}

describe("the Foo Corp example, served with trace: true", () => {
  test("DOT on stdout by default: every state, and a summary on stderr", async () => {
    const run = await runCli(["map", `${example.base}/incoming-call`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^digraph "flow" \{\n/);
    for (const state of STATES) expect(run.stdout).toContain(`"${state}" [`);
    expect(run.stdout).toContain('"CALL_RECEIVED" -> "LUNCH_SPECIALS"');
    expect(run.stdout).toContain('"HOURS" -> "GOODBYE"');
    const counts = summary(run.stderr);
    // The same map as mapFlow draws in this process.
    const map = await mapFlow(example.base, { uri: "/incoming-call" });
    expect(counts).toEqual({ nodes: map.nodes.length, states: expect.any(Number), edges: map.edges.length, steps: map.steps });
    expect(counts.states).toBeGreaterThanOrEqual(STATES.length);
    expect(run.stderr).not.toContain("truncated");
  });

  test("--out picks the format from the extension; --format overrides it; --title heads the drawing", async () => {
    const svg = path.join(tmp, "flow.svg");
    const html = path.join(tmp, "flow.html");
    const mmd = path.join(tmp, "flow.mmd");
    const forced = path.join(tmp, "flow.txt");
    const runs = await Promise.all([
      runCli(["map", `${example.base}/incoming-call`, "--out", svg, "--title", "Foo Corp"]),
      runCli(["map", `${example.base}/incoming-call`, "--out", html]),
      runCli(["map", `${example.base}/incoming-call`, "--out", mmd]),
      runCli(["map", `${example.base}/incoming-call`, "--out", forced, "--format", "mermaid"]),
    ]);
    for (const run of runs) {
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.stringMatching(/^Mapped /) });
      expect(run.stdout).toBe("");
    }
    const svgText = fs.readFileSync(svg, "utf8");
    expect(svgText).toMatch(/<svg[\s>]/);
    expect(svgText).toContain("Foo Corp");
    for (const state of STATES) expect(svgText).toContain(state);
    expect(runs[0].stderr).toContain(`svg written to ${svg}`);
    const htmlText = fs.readFileSync(html, "utf8");
    expect(htmlText).toMatch(/^<!DOCTYPE html>/i);
    expect(htmlText).toContain("<svg");
    expect(fs.readFileSync(mmd, "utf8")).toMatch(/^flowchart/m);
    expect(fs.readFileSync(forced, "utf8")).toMatch(/^flowchart/m);
  }, 60_000);

  test("--coverage marks what recorded calls did not walk and prints the percentages", async () => {
    const dir = path.join(tmp, "coverage");
    // A test run's calls, recorded: lunch specials then the hours, then silence (goodbye).
    process.env[COVERAGE_ENV] = dir;
    const call = await simulateCall(example.app, { uri: "/incoming-call" });
    await call.press("1");
    await call.press("1");
    await call.silence();
    expect(call.ended).toBe(true);
    restoreRecording();
    fs.writeFileSync(path.join(dir, "not-a-walk.json"), "{}");

    const run = await runCli(["map", `${example.base}/incoming-call`, "--coverage", dir]);
    expect(run.code).toBe(0);
    const map: FlowMap = await mapFlow(example.base, { uri: "/incoming-call" });
    const coverage = flowCoverage(map, dir);
    // The call, key 1 at the welcome, key 1 at the lunch specials, silence at the hours, the goodbye.s hangup.
    expect(coverage.edgeTotals.walked).toBe(5);
    expect(run.stderr).toContain(`${coverageSummary(coverage)} (1 recorded calls in ${dir})`);
    expect(run.stderr).toMatch(/^States covered: \d+\/\d+ \([\d.]+%\), edges covered: 5\/\d+ \([\d.]+%\)/m);
    expect(run.stderr).toContain("(skipped 1 file(s) there that are not recorded walks)");
    expect(run.stderr).toContain("Not walked:");
    expect(run.stderr).toMatch(/^ {2}CALL_RECEIVED --.*--> HOLD$/m);
    expect(run.stderr).not.toMatch(/^ {2}LUNCH_SPECIALS --press 1--> HOURS$/m);
    // Unwalked edges are drawn dashed and red; the heading says how much was covered.
    expect(run.stdout).toContain(coverageSummary(coverage));
    expect(run.stdout).toMatch(/"CALL_RECEIVED" -> "HOLD" \[.*style=dashed/);
    expect(run.stdout).toContain('"CALL_RECEIVED" -> "LUNCH_SPECIALS" [label="press 1"];');
    expect(run.stdout).toMatch(/"CALL_RECEIVED" -> "LUNCH_SPECIALS" \[label="say .*style=dashed/);
  }, 60_000);

  test("--max-steps truncates the exploration, and the summary says so", async () => {
    const run = await runCli(["map", `${example.base}/incoming-call`, "--max-steps", "3"]);
    expect(run.code).toBe(0);
    expect(summary(run.stderr).steps).toBe(3);
    expect(run.stderr).toContain("truncated at --max-steps 3");
  });

  test("signed requests: the token from --auth-token or TWILIO_AUTH_TOKEN; without one, exit 1 with a hint", async () => {
    const validating = await serve((host) => exampleApp(host, TOKEN));
    try {
      // With a coverage folder set: neither the exploration nor the call that diagnoses the 403 is a test, so neither records a walk.
      const recorded = path.join(tmp, "diagnosis-coverage");
      const unsigned = await runCli(["map", `${validating.base}/incoming-call`], { [COVERAGE_ENV]: recorded });
      expect(unsigned.code).toBe(1);
      expect(unsigned.stderr).toContain("answered HTTP 403");
      expect(unsigned.stderr).toContain("pass --auth-token or set TWILIO_AUTH_TOKEN");
      expect(unsigned.stdout).toBe("");
      expect(fs.existsSync(recorded) ? fs.readdirSync(recorded) : []).toEqual([]);

      const flag = await runCli(["map", `${validating.base}/incoming-call`, "--auth-token", TOKEN]);
      expect(flag.code).toBe(0);
      expect(flag.stdout).toContain('"LUNCH_SPECIALS" [');
      const fromEnv = await runCli(["map", `${validating.base}/incoming-call`], { TWILIO_AUTH_TOKEN: TOKEN });
      expect(fromEnv.code).toBe(0);
      expect(fromEnv.stdout).toBe(flag.stdout);
      for (const run of [unsigned, flag, fromEnv]) expect(`${run.stdout}${run.stderr}`).not.toContain(TOKEN);
    } finally {
      await validating.close();
    }
  });
});

describe("other servers", () => {
  test("a server that does not report its states: its pages are drawn, and the CLI says why", async () => {
    const pages = await serve((host) => createApp(library, { host, weatherService: createFakeWeatherService({ delayMs: 0 }) }));
    try {
      const run = await runCli(["map", `${pages.base}/incoming-call`, "--max-steps", "5"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('"page:/incoming-call" [');
      expect(run.stdout).not.toContain('"CALL_RECEIVED"');
      expect(run.stderr).toContain("create its app with `trace: true`");
    } finally {
      await pages.close();
    }
  });

  test("a server that cannot be reached: exit 1, saying so", async () => {
    const closed = await serve(() => (_req, res) => res.end());
    await closed.close();
    const run = await runCli(["map", `${closed.base}/incoming-call`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot reach the server at ${closed.base}`);
    expect(run.stderr).toContain("ECONNREFUSED");
    expect(run.stdout).toBe("");
  });

  test("a tree with a failing path: the map is written, the failing edges listed, exit 1", async () => {
    const failing = await serve(() =>
      library.twilioIvr(
        [
          {
            name: "START",
            uri: "/incoming-call",
            processTransitionUri: "/start-out",
            twimlFor: () => '<Response><Gather action="/start-out" numDigits="1"><Say>Press 1.</Say></Gather></Response>',
            transitionOut: (input?: Record<string, unknown>) => {
              if (input?.Digits === "1") throw new Error("broken on purpose");
              return { name: "BYE", isEndState: true, twimlFor: () => "<Response><Hangup/></Response>" };
            },
          },
        ],
        { twilio: { authToken: "", validate: false }, urlFor: { host: () => "localhost" }, trace: true },
      ),
    );
    try {
      const out = path.join(tmp, "failing.dot");
      const run = await runCli(["map", `${failing.base}/incoming-call`, "--out", out]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^Mapped /m);
      expect(run.stderr).toContain("path(s) end in an application error");
      expect(run.stderr).toMatch(/^ {2}START --.*--> Application error$/m);
      expect(fs.readFileSync(out, "utf8")).toContain('"(error)"');
    } finally {
      await failing.close();
    }
  });
});

describe("usage", () => {
  test("mistakes: exit 2 with the usage, never echoing a token", async () => {
    const url = `${example.base}/incoming-call`;
    const cases = [
      ["map"],
      ["map", url, "--format", "png"],
      ["map", url, "--max-steps", "0"],
      ["map", url, "--pause-ms", "-1"],
      ["map", url, "--from", "+15550001111"],
      ["call", url, "--format", "svg"],
      ["map", url, "extra", TOKEN],
    ];
    for (const args of cases) {
      const run = await runCli(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toContain("Usage:");
      expect(run.stderr).not.toContain(TOKEN);
    }
  });

  test("a --coverage folder that does not exist: exit 2 before exploring", async () => {
    const run = await runCli(["map", `${example.base}/incoming-call`, "--coverage", path.join(tmp, "nothing")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("ENOENT");
    expect(run.stderr).toContain(`${COVERAGE_ENV}=<folder>`);
    expect(run.stdout).toBe("");
  });

  test("--help describes map", async () => {
    const run = await runCli(["map", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("map <url> [options]");
    expect(run.stdout).toContain("--coverage <dir>");
    expect(run.stdout).toContain("--max-steps <n>");
  });

  test("parsing (in-process): defaults, formats from extensions, numbers", () => {
    const parse = (args: string[], env: Record<string, string> = {}) => {
      const command = parseCommandLine(["map", ...args], env);
      if (command.kind !== "map") throw new Error(command.kind);
      return command.map;
    };
    expect(parse(["localhost:3000"])).toEqual({
      origin: "http://localhost:3000",
      uri: "/incoming-call",
      format: "dot",
      out: undefined,
      coverage: undefined,
      title: undefined,
      authToken: undefined,
      maxSteps: undefined,
      pauseMs: undefined,
    });
    expect(parse(["https://ivr.example.com/voice?x=1", "--max-steps", "40", "--pause-ms", "0", "--out", "a.HTML"], { TWILIO_AUTH_TOKEN: "t" })).toMatchObject({
      origin: "https://ivr.example.com",
      uri: "/voice?x=1",
      format: "html",
      out: "a.HTML",
      authToken: "t",
      maxSteps: 40,
      pauseMs: 0,
    });
    expect(parse(["localhost", "--out", "flow.svg", "--format", "DOT"]).format).toBe("dot");
    expect([".svg", ".html", ".htm", ".dot", ".gv", ".mmd", ".md", ".png", ""].map((ext) => formatOfFile(`flow${ext}`))).toEqual([
      "svg",
      "html",
      "html",
      "dot",
      "dot",
      "mermaid",
      "mermaid",
      undefined,
      undefined,
    ]);
    expect(() => parse(["localhost", "--max-steps", "1.5"])).toThrow(UsageError);
    expect(() => parse(["localhost", "--uri", "/x"])).toThrow("--uri is not an option of map");
  });
});
