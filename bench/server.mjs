// One benchmark target per child process, so the app under test has a core (and a heap) of its own.
// Usage (by run.mjs only): fork("server.mjs", [JSON.stringify(spec)]). Speaks over IPC:
//   -> { type: "ready", port }                once listening on 127.0.0.1
//   <- { type: "cpu" }   -> { type: "cpu", usage }   process.cpuUsage() in microseconds
//   <- { type: "exit" }                        closes and exits (flushes --cpu-prof output)
import { createRequire } from "node:module";
import { INCOMING_URI, TWIML, TWIML_TYPE, stateUri } from "./workload.mjs";

const require = createRequire(import.meta.url);
const express = require("express");

/** @param {{ kind: string, states?: number, dir?: string }} spec */
function buildApp(spec) {
  switch (spec.kind) {
    case "lib-incoming":
      return libApp([endState("incoming", INCOMING_URI)]);
    case "bare-incoming": {
      const app = express();
      app.use(express.urlencoded({ extended: false }));
      app.post(INCOMING_URI, (_req, res) => {
        res.status(200).type(TWIML_TYPE).send(TWIML);
      });
      return app;
    }
    case "lib-states":
      return libApp(Array.from({ length: spec.states ?? 0 }, (_, i) => endState(`state-${i}`, stateUri(i))));
    case "lib-static":
      return libApp([endState("incoming", INCOMING_URI)], { path: spec.dir, mountPath: "/static" });
    case "bare-static": {
      const app = express();
      app.use("/static", express.static(spec.dir ?? ""));
      return app;
    }
    default:
      throw new Error(`unknown bench target ${JSON.stringify(spec.kind)}`);
  }
}

function endState(name, uri) {
  return { name, isEndState: true, uri, twimlFor: () => TWIML };
}

function libApp(states, staticFiles) {
  // The BUILT package, as users get it.
  const twilioIvr = require("../dist/index.cjs");
  return twilioIvr(states, {
    twilio: { authToken: "", validate: false },
    urlFor: { host: () => "127.0.0.1" },
    ...(staticFiles === undefined ? {} : { staticFiles }),
  });
}

const spec = JSON.parse(process.argv[2] ?? "{}");
const server = buildApp(spec).listen(0, "127.0.0.1", () => {
  process.send?.({ type: "ready", port: server.address().port });
});
server.keepAliveTimeout = 60_000;

process.on("message", (message) => {
  if (message?.type === "cpu") {
    process.send?.({ type: "cpu", usage: process.cpuUsage() });
  } else if (message?.type === "exit") {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
process.on("disconnect", () => process.exit(0));
