// Regenerates the Foo Corp example's flow map and its test coverage for the README:
// `npm run docs:flow` (builds first), or `node scripts/flow-docs.mjs [--skip-tests]`.
//
//   1. Maps the example tree in this process with the built library (dist/index.cjs,
//      dist/testing.cjs) and a stand-in weather service that answers at once, and writes
//      docs/foo-corp-flow.dot and docs/foo-corp-flow.svg.
//   2. Runs the example's own Jest tests with TWILIO_FLOW_COVERAGE naming a temporary folder,
//      reads the walks their simulated calls recorded, writes docs/foo-corp-coverage.svg and
//      prints the percentages of states and edges covered.
//   3. Writes those figures into README.md between <!-- flow-coverage:start --> and
//      <!-- flow-coverage:end -->.
//
// test/integration/flow/example-map.test.ts checks that docs/foo-corp-flow.dot is still what the
// example maps to: run this script when the tree changes.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DOCS = path.join(ROOT, "docs");
const README = path.join(ROOT, "README.md");
const START_MARKER = "<!-- flow-coverage:start -->";
const END_MARKER = "<!-- flow-coverage:end -->";

/** The Jest files that drive the example with simulated calls (the calls that record walks). */
const EXAMPLE_TESTS = [
  "test/integration/example.test.ts",
  "test/integration/example-simulator.test.ts",
  "test/integration/weather.test.ts",
  "test/integration/readme-testing-example.test.ts",
];

/**
 * How the example is mapped: the same as test/integration/flow/example-map.test.ts does. The
 * stand-in weather service answers at once, and `pauseMs: 1` lets it answer between two polls,
 * so the map shows the caller holding (WEATHER_WAIT) and the report (WEATHER_REPORT).
 */
const MAP_OPTIONS = { uri: "/incoming-call", pauseMs: 1 };

/** Node kinds that are states of the tree (pages, from servers in other processes without traces, aside). */
const STATE_KINDS = new Set(["menu", "normal", "end", "asynchronous", "branching"]);

const require = createRequire(import.meta.url);

function fail(message) {
  console.error(`flow-docs: ${message}`);
  process.exit(1);
}

/** "walked/total (p%)", worded as the drawings word it (never 100% or 0% unless exact). */
function fraction({ walked, total }) {
  if (total <= 0) return `${walked}/${total} (100%)`;
  let percent = Math.round((walked * 1000) / total) / 10;
  if (walked < total && percent >= 100) percent = 99.9;
  if (walked > 0 && percent <= 0) percent = 0.1;
  return `${walked}/${total} (${percent}%)`;
}

function edgeText(map, edge) {
  const label = (id) => map.nodes.find((node) => node.id === id)?.label ?? id;
  const how = edge.inputs.length > 0 ? `${edge.kind} ${edge.inputs.join(", ")}` : edge.kind;
  return `${label(edge.from)} → ${label(edge.to)} (${how})`;
}

/** A paragraph wrapped at 100 characters, as the README is. */
function wrap(text) {
  const lines = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > 100) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines.join("\n");
}

function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  console.log(`wrote ${path.relative(ROOT, file)} (${text.length} bytes)`);
}

async function main() {
  const skipTests = process.argv.includes("--skip-tests");
  for (const file of ["dist/index.cjs", "dist/testing.cjs"]) {
    if (!fs.existsSync(path.join(ROOT, file))) fail(`${file} is missing: run npm run build (npm run docs:flow does)`);
  }
  const library = require(path.join(ROOT, "dist", "index.cjs"));
  const testing = require(path.join(ROOT, "dist", "testing.cjs"));
  const { createApp } = require(path.join(ROOT, "examples", "foo-corp", "app.js"));
  const { createFakeWeatherService } = require(path.join(ROOT, "examples", "foo-corp", "weather.js"));

  // 1. The map.
  let started = Date.now();
  const app = createApp(library, { host: "localhost", weatherService: createFakeWeatherService({ delayMs: 0 }) });
  const map = await testing.mapFlow(app, MAP_OPTIONS);
  console.log(`mapped the example: ${map.nodes.length} nodes, ${map.edges.length} edges, ${map.steps} steps${map.truncated ? " (truncated!)" : ""} in ${Date.now() - started} ms`);
  if (map.truncated) fail("the map is truncated: raise maxSteps");
  write(path.join(DOCS, "foo-corp-flow.dot"), testing.toDot(map));
  write(path.join(DOCS, "foo-corp-flow.svg"), await testing.toSvg(map));
  if (skipTests) return;

  // 2. What the example's tests walk.
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "foo-corp-flow-coverage-"));
  try {
    started = Date.now();
    console.log(`running the example's tests with ${testing.COVERAGE_ENV}=${folder}:\n  ${EXAMPLE_TESTS.join("\n  ")}`);
    const jest = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "jest", "bin", "jest.js"), "--runTestsByPath", ...EXAMPLE_TESTS], {
      cwd: ROOT,
      env: { ...process.env, [testing.COVERAGE_ENV]: folder },
      encoding: "utf8",
    });
    if (jest.status !== 0) {
      process.stderr.write(jest.stderr);
      fail(`the example's tests failed (exit ${jest.status}): no coverage written`);
    }
    const coverage = testing.flowCoverage(map, folder);
    console.log(`the tests made ${coverage.calls} simulated calls of the example in ${Math.round((Date.now() - started) / 1000)} s`);
    const states = fraction(coverage.states);
    const edges = fraction(coverage.edgeTotals);
    console.log(`States covered: ${states}, edges covered: ${edges}`);
    const unwalked = map.edges.filter((edge) => !coverage.edges.has(JSON.stringify([edge.from, edge.to, edge.kind])));
    for (const edge of unwalked) console.log(`  not walked: ${edgeText(map, edge)}`);
    write(path.join(DOCS, "foo-corp-coverage.svg"), await testing.toSvg(map, { coverage, title: "Foo Corp: what the example's tests walk" }));

    // 3. The README's figures.
    const readme = fs.readFileSync(README, "utf8");
    const start = readme.indexOf(START_MARKER);
    const end = readme.indexOf(END_MARKER);
    if (start < 0 || end < start) fail(`README.md has no ${START_MARKER} … ${END_MARKER} markers`);
    // States the tests reach that exploration did not (e.g. behind a service failure the stand-in never has).
    const mapped = new Set(map.nodes.map((node) => node.id));
    const beyond = [...new Set(testing.readWalks(folder).walks.flatMap((walk) => walk.nodes.filter((node) => STATE_KINDS.has(node.kind) && !mapped.has(node.id)).map((node) => node.id)))].sort();
    if (beyond.length > 0) console.log(`  walked by the tests, not on the map: ${beyond.join(", ")}`);
    const figures = [
      "",
      wrap(
        `The example's tests (${EXAMPLE_TESTS.map((file) => `\`${path.basename(file)}\``).join(", ")}) make ${coverage.calls} simulated calls, ` +
          `which walk **${states}** of the map's states and **${edges}** of its edges${unwalked.length === 0 ? "." : ". Not walked:"}`,
      ),
      ...(unwalked.length === 0 ? [] : ["", ...unwalked.map((edge) => `- ${edgeText(map, edge)}`)]),
      ...(beyond.length === 0
        ? []
        : ["", wrap(`They also reach ${beyond.map((id) => `\`${id}\``).join(", ")}, which the map does not show: exploration's stand-in weather service never fails.`)]),
      "",
    ].join("\n");
    const updated = `${readme.slice(0, start + START_MARKER.length)}${figures}${readme.slice(end)}`;
    if (updated !== readme) {
      fs.writeFileSync(README, updated);
      console.log("updated the coverage figures in README.md");
    } else {
      console.log("README.md's coverage figures are up to date");
    }
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((err) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)));
