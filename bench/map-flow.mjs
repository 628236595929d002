// Exploring a phone tree: forking simulated calls (what mapFlow does) against replaying every path
// from the start of the call (what exploration without fork would do), side by side in one run.
// `npm run bench:map` (builds first) or `node bench/map-flow.mjs [--states N] [--rounds N]`.
// In-process (no sockets); the tree is a complete ternary tree of menus with end states as leaves.
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { formatMs, median, table } from "./stats.mjs";

const require = createRequire(import.meta.url);
// BENCH_DIST: another build of the package (default ../dist, which `npm run bench:map` builds).
const dist = process.env.BENCH_DIST ?? "../dist";
const { twilioIvr, menu } = require(`${dist}/index.cjs`);
const { mapFlow, simulateCall } = require(`${dist}/testing.cjs`);

function argNumber(name, fallback) {
  const i = process.argv.indexOf(name);
  const value = i === -1 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
}
const stateCount = argNumber("--states", 200);
const rounds = argNumber("--rounds", 5);

/** A complete ternary tree of `count` states: menus (keys 1-3, one try) whose last level is end states. */
function buildTree(count) {
  const goodbye = { name: "GOODBYE", isEndState: true, twimlFor: () => "<Response><Say>Goodbye.</Say><Hangup/></Response>" };
  const states = [goodbye];
  const leafStart = Math.floor((count - 2) / 3) + 1; // nodes 0..leafStart-1 have children
  const make = (i) => {
    const name = `S${i}`;
    const children = [1, 2, 3].map((k) => 3 * i + k).filter((c) => c < count - 1);
    const state =
      i >= leafStart || children.length === 0
        ? { name, isEndState: true, twimlFor: () => `<Response><Say>You reached ${name}.</Say><Hangup/></Response>` }
        : menu({
            name,
            ...(i === 0 ? { uri: "/incoming" } : {}),
            processTransitionUri: `/s${i}`,
            prompt: `Menu ${name}: press 1, 2 or 3.`,
            options: children.map((c, k) => ({ keys: [String(k + 1)], to: make(c) })),
            tries: 1,
            onFailure: goodbye,
          });
    states.push(state);
    return state;
  };
  make(0);
  return states;
}

const states = buildTree(stateCount);
let requests = 0;
const ivr = twilioIvr(states, { twilio: { authToken: "", validate: false }, urlFor: { host: () => "localhost" } });
const app = (req, res) => {
  requests++;
  ivr(req, res);
};

/** Exploration without fork: every situation is reached again by replaying its path from the call's start. */
async function replayExplore() {
  const queue = [[]];
  const seen = new Set();
  let steps = 0;
  while (queue.length > 0) {
    const path = queue.shift();
    const probe = await simulateCall(app, { uri: "/incoming" });
    for (const keys of path) await (keys === "" ? probe.silence() : probe.press(keys));
    if (probe.ended) continue;
    const here = probe.twiml;
    if (seen.has(here)) continue;
    seen.add(here);
    for (const keys of ["1", "2", "3", ""]) {
      steps++;
      const call = await simulateCall(app, { uri: "/incoming" });
      for (const k of [...path, keys]) await (k === "" ? call.silence() : call.press(k));
      if (!call.ended) queue.push([...path, keys]);
    }
  }
  return steps;
}

async function measure(name, run) {
  requests = 0;
  const started = performance.now();
  const steps = await run();
  return { name, ms: performance.now() - started, requests, steps };
}

const results = { fork: [], replay: [] };
await measure("warm-up", () => mapFlow(app, { uri: "/incoming" }).then((m) => m.steps));
for (let round = 0; round < rounds; round++) {
  // Alternate which goes first, so that warm-up and GC favour neither.
  const order = round % 2 === 0 ? ["fork", "replay"] : ["replay", "fork"];
  for (const which of order) {
    results[which].push(
      await measure(which, which === "fork" ? async () => (await mapFlow(app, { uri: "/incoming", maxSteps: 10_000 })).steps : replayExplore),
    );
  }
}

const summary = (list) => ({ ms: median(list.map((r) => r.ms)), requests: list[0].requests, steps: list[0].steps, spread: list.map((r) => formatMs(r.ms)).join(" ") });
const fork = summary(results.fork);
const replay = summary(results.replay);
console.log(`Exploring a ${states.length}-state tree (${rounds} alternating rounds, medians; per-round times in brackets):`);
console.log(
  table(
    ["explorer", "time", "webhooks", "caller actions", "rounds"],
    [
      ["fork (mapFlow)", formatMs(fork.ms), String(fork.requests), String(fork.steps), fork.spread],
      ["replay from start", formatMs(replay.ms), String(replay.requests), String(replay.steps), replay.spread],
    ],
  ),
);
console.log(`replay / fork: ${(replay.ms / fork.ms).toFixed(2)}x the time, ${(replay.requests / fork.requests).toFixed(2)}x the webhooks`);
