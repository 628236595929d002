// Start-up cost of an app, by configuration: the time to load the package, the time to create the
// app, and the heap in use afterwards (after a full GC), each in a fresh process, side by side.
// `npm run bench:startup` (builds first) or `node bench/startup.mjs [--runs N]`.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { formatMs, median, table } from "./stats.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg === -1 ? 7 : Number(process.argv[runsArg + 1]);
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs must be a positive whole number");

const audio = fs.mkdtempSync(path.join(os.tmpdir(), "tif-startup-"));
for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(audio, `prompt-${i}.wav`), Buffer.alloc(64 * 1024, i));

/** What each fresh process does: the configuration under `config` (JSON of switches). */
const probe = `
const started = process.hrtime.bigint();
const lib = require(${JSON.stringify(path.join(here, "..", "dist", "index.cjs"))});
const loaded = process.hrtime.bigint();
const flags = JSON.parse(process.argv[1]);
const state = { name: "E", uri: "/e", isEndState: true, twimlFor: () => "<Response/>" };
const config = {
  twilio: flags.validate ? { authToken: "token" } : { authToken: "", validate: false },
  urlFor: { host: () => "ivr.example.com" },
  ...(flags.static ? { staticFiles: { path: ${JSON.stringify(audio)}, mountPath: "/static" } } : {}),
  ...(flags.sessions ? { sessions: {} } : {}),
};
(async () => {
const states = [state];
if (flags.menu) {
  // A menu with a TwiML prompt, rendered once: what loads twilio's TwiML builder and the XML parser.
  const menuState = lib.menu({ name: "M", uri: "/m", processTransitionUri: "/m/choice", prompt: "<Say>Press 1</Say>", options: [{ keys: ["1"], to: state }], onFailure: state });
  states.push(menuState);
  await menuState.twimlFor((p) => p, {});
}
lib.twilioIvr(states, config);
const created = process.hrtime.bigint();
global.gc();
const modules = Object.keys(require.cache).filter((k) => k.includes("node_modules")).length;
process.stdout.write(JSON.stringify({ loadMs: Number(loaded - started) / 1e6, createMs: Number(created - loaded) / 1e6, heapMb: process.memoryUsage().heapUsed / 1e6, modules }));
})();
`;
const baseline = `global.gc(); process.stdout.write(JSON.stringify({ loadMs: 0, createMs: 0, heapMb: process.memoryUsage().heapUsed / 1e6, modules: 0 }));`;

const configs = [
  ["node alone (no package)", null],
  ["validate: false", { validate: false }],
  ["validate: true", { validate: true }],
  ["validate + static files (20 files)", { validate: true, static: true }],
  ["validate + sessions (MemoryStore)", { validate: true, sessions: true }],
  ["validate + static + sessions", { validate: true, static: true, sessions: true }],
  ["validate + a menu (TwiML prompt, rendered once)", { validate: true, menu: true }],
];

const samples = new Map(configs.map(([label]) => [label, []]));
try {
  for (let round = 0; round < runs; round++) {
    for (const [label, flags] of round % 2 === 0 ? configs : [...configs].reverse()) {
      const out = execFileSync(process.execPath, ["--expose-gc", "-e", flags === null ? baseline : probe, JSON.stringify(flags ?? {})], { encoding: "utf8" });
      samples.get(label).push(JSON.parse(out));
    }
  }
} finally {
  fs.rmSync(audio, { recursive: true, force: true });
}

const rows = configs.map(([label]) => {
  const list = samples.get(label);
  const pick = (key) => median(list.map((s) => s[key]));
  return [label, formatMs(pick("loadMs")), formatMs(pick("createMs")), `${pick("heapMb").toFixed(1)} MB`, String(list[0].modules)];
});
console.log(`Start-up by configuration (median of ${runs} fresh processes each, alternating order; heap in use after a full GC):`);
console.log(table(["configuration", "load the package", "create the app", "heap", "node_modules files"], rows));
