// One benchmark target per child process, so the app under test has a core (and a heap) of its own.
// Usage (by run.mjs only): fork("server.mjs", [JSON.stringify(spec)]). Speaks over IPC:
//   -> { type: "ready", port }                once listening on 127.0.0.1
//   <- { type: "cpu" }   -> { type: "cpu", usage }   process.cpuUsage() in microseconds
//   <- { type: "exit" }                        closes and exits (flushes --cpu-prof output)
import { createRequire } from "node:module";
import { CHOICE_URI, INCOMING_URI, SESSION_URI, SIGNED_HOST, SIGNING_TOKEN, TWIML, TWIML_TYPE, stateUri, visitTwiml } from "./workload.mjs";

const require = createRequire(import.meta.url);
const express = require("express");

/** @param {{ kind: string, states?: number, dir?: string, sessions?: string, redisUrl?: string }} spec */
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
    case "bare-static-same": {
      // serve-static with exactly the options the library documents for its static files.
      const serveStatic = require("serve-static");
      const app = express();
      app.use(
        "/static",
        serveStatic(spec.dir ?? "", {
          index: false,
          dotfiles: "ignore",
          redirect: false,
          etag: true,
          lastModified: true,
          maxAge: ONE_YEAR_MS,
          setHeaders: (res) => res.setHeader("Expires", new Date(Date.now() + ONE_YEAR_MS).toUTCString()),
        }),
      );
      return app;
    }
    case "bare-floor": {
      // The floor of any Express app: the same TwiML, no body parsing at all.
      const app = express();
      app.post(INCOMING_URI, (_req, res) => {
        res.status(200).type(TWIML_TYPE).send(TWIML);
      });
      app.post(CHOICE_URI, (_req, res) => {
        res.status(200).type(TWIML_TYPE).send(TWIML);
      });
      return app;
    }
    case "lib-signed":
      return signedApp(true);
    case "lib-unsigned":
      return signedApp(false);
    case "lib-transition":
      return libApp([choiceState()]);
    case "lib-session":
      return sessionApp(spec);
    default:
      throw new Error(`unknown bench target ${JSON.stringify(spec.kind)}`);
  }
}

const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/** A normal state at INCOMING_URI whose answers post to CHOICE_URI and lead to an end state with the same TwiML. */
function choiceState() {
  const next = endState("next");
  return { name: "choice", uri: INCOMING_URI, processTransitionUri: CHOICE_URI, twimlFor: () => TWIML, transitionOut: (input) => (input?.Digits === "1" ? next : next) };
}

/** An end state behind a TLS proxy (the public URL is https://SIGNED_HOST), with signature validation on or off. */
function signedApp(validate) {
  return twilioIvr()([endState("incoming", INCOMING_URI)], {
    twilio: { authToken: validate ? SIGNING_TOKEN : "", validate },
    urlFor: { host: () => SIGNED_HOST, scheme: () => "https" },
  });
}

function endState(name, uri) {
  return { name, isEndState: true, uri, twimlFor: () => TWIML };
}

// The BUILT package, as users get it.
const twilioIvr = () => require("../dist/index.cjs");

function libApp(states, staticFiles, sessions) {
  return twilioIvr()(states, {
    twilio: { authToken: "", validate: false },
    urlFor: { host: () => "127.0.0.1" },
    ...(staticFiles === undefined ? {} : { staticFiles }),
    ...(sessions === undefined ? {} : { sessions }),
  });
}

/** The store of a RedisStore target, closed on exit. */
let redisStore;

/**
 * Scenario 5: one routable end state at SESSION_URI, under `spec.sessions`:
 *   "off"       no `sessions` config; the state checks it got no session argument
 *   "untouched" `sessions: {}` (MemoryStore); the state checks it got a session, never calls it
 *   "memory"    `sessions: {}`; the state reads counter "n" from the call's session and writes n + 1
 *   "redis"     the same on `new RedisStore({ url: spec.redisUrl })`
 * The TwiML says the visit number (or "off" / "on"), so the bench can check what happened.
 */
function sessionApp(spec) {
  const counter = async (_urlFor, _input, session) => {
    const n = ((await session.get("n")) ?? 0) + 1;
    await session.set("n", n);
    return visitTwiml(n);
  };
  switch (spec.sessions) {
    case "off":
      return libApp([sessionState((_urlFor, _input, session) => visitTwiml(session === undefined ? "off" : "unexpected"))]);
    case "untouched":
      return libApp([sessionState((_urlFor, _input, session) => visitTwiml(session === undefined ? "missing" : "on"))], undefined, {});
    case "memory":
      return libApp([sessionState(counter)], undefined, {});
    case "redis":
      redisStore = new (twilioIvr().RedisStore)({ url: spec.redisUrl });
      return libApp([sessionState(counter)], undefined, { store: redisStore });
    default:
      throw new Error(`unknown sessions mode ${JSON.stringify(spec.sessions)}`);
  }
}

function sessionState(twimlFor) {
  return { name: "session-visit", isEndState: true, uri: SESSION_URI, twimlFor };
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
    server.close(() => {
      if (redisStore === undefined) process.exit(0);
      else void redisStore.close().finally(() => process.exit(0));
    });
  }
});
process.on("disconnect", () => process.exit(0));
