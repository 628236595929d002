// Times `twilioIvr()` with staticFiles.path in a process of its own, as an app's start-up would.
// Usage: node create-app.mjs <dir> <calls>. Prints one JSON line: { ms: [per call, first call first] }.
// Node's start-up and the require() of the package are not timed: only the twilioIvr() calls.
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { INCOMING_URI, TWIML } from "./workload.mjs";

const require = createRequire(import.meta.url);
const twilioIvr = require("../dist/index.cjs");

const [dir, callsArg = "1"] = process.argv.slice(2);
const states = [{ name: "incoming", isEndState: true, uri: INCOMING_URI, twimlFor: () => TWIML }];
const config = { twilio: { authToken: "", validate: false }, urlFor: { host: () => "127.0.0.1" }, staticFiles: { path: dir } };
const ms = [];
for (let i = 0; i < Number(callsArg); i++) {
  const started = performance.now();
  twilioIvr(states, config);
  ms.push(performance.now() - started);
}
process.stdout.write(`${JSON.stringify({ ms })}\n`);
