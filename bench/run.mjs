// Benchmarks the built library against hand-written Express equivalents, side by side in one run.
// `npm run bench` (builds first) or `node bench/run.mjs [--quick]`. Loopback traffic only.
//
// Environment (defaults in brackets; --quick lowers them for a smoke run):
//   BENCH_SECONDS [1.25]          length of one measured round per target
//   BENCH_WARMUP_SECONDS [1.5]    warm-up per server process and target before the rounds
//   BENCH_ROUNDS [8]              alternating rounds per target (x2 for the 3 MB file); medians are reported
//   BENCH_PROCESSES [2]           server processes per app; rounds cycle through them
//   BENCH_CONNECTIONS [32]        concurrent keep-alive connections (TwiML scenarios)
//   BENCH_STATIC_CONNECTIONS [8]  concurrent keep-alive connections (3 MB file scenario)
//   BENCH_STATES [10000]          state count of the large app in scenario 2
//   BENCH_SMALL_FILES [2000]  BENCH_SMALL_KB [2]  BENCH_LARGE_FILES [20]  BENCH_LARGE_MB [15]
//   BENCH_CREATION_RUNS [9]       timed runs of each side in scenario 3
//   BENCH_ONLY                    e.g. "1,3": run only these scenarios (default: all, 1 to 7)
//   BENCH_REDIS_CPU [2, or 0 on a 2-core machine]  CPU of the redis-server of scenario 5 (when pinning)
//   BENCH_PIN [1]                 pin the load generator to CPU 0 and servers to CPU 1 (needs taskset)
//   BENCH_CLIENT [auto]           load generator of the HTTP scenarios: "wrk" (Debian's package; its rounds
//                                 last whole seconds, at least 2), "node" (bench/load.mjs), or "auto": wrk when
//                                 it is on PATH, else node
//   BENCH_CPU_PROF                a directory: server processes write --cpu-prof profiles there
import { execFileSync, fork } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import twilio from "twilio";
import { compareCreation, writeRandomFiles } from "./files.mjs";
import { createClient } from "./load.mjs";
import { createWrkClient, wrkVersion } from "./wrk.mjs";
import { formatMs, formatNumber, median, table } from "./stats.mjs";
import { bulk, command, findRedisServer, startRedisServer } from "./redis.mjs";
import { CHOICE_URI, FORM_BODY, INCOMING_URI, SESSION_CALLS, SESSION_URI, SIGNED_HOST, SIGNING_TOKEN, TWIML, TWIML_TYPE, callSid, formBody, stateUri, visitOf } from "./workload.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
// Read before any pinning: availableParallelism() follows this process's CPU affinity.
const cpuCount = os.availableParallelism();
const quick = process.argv.includes("--quick");

function envNumber(name, normal, quickValue = normal) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return quick ? quickValue : normal;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

const settings = {
  seconds: envNumber("BENCH_SECONDS", 1.25, 0.4),
  warmupSeconds: envNumber("BENCH_WARMUP_SECONDS", 1.5, 0.5),
  rounds: Math.round(envNumber("BENCH_ROUNDS", 8, 4)),
  processes: Math.round(envNumber("BENCH_PROCESSES", 2, 1)),
  connections: Math.round(envNumber("BENCH_CONNECTIONS", 32)),
  staticConnections: Math.round(envNumber("BENCH_STATIC_CONNECTIONS", 8)),
  states: Math.round(envNumber("BENCH_STATES", 10_000)),
  smallFiles: Math.round(envNumber("BENCH_SMALL_FILES", 2000)),
  smallKb: envNumber("BENCH_SMALL_KB", 2),
  largeFiles: Math.round(envNumber("BENCH_LARGE_FILES", 20)),
  largeMb: envNumber("BENCH_LARGE_MB", 15, 2),
  creationRuns: Math.round(envNumber("BENCH_CREATION_RUNS", 9, 3)),
  only: new Set((process.env.BENCH_ONLY ?? "1,2,3,4,5,6,7").split(",").map((s) => s.trim())),
  pin: process.env.BENCH_PIN !== "0" && cpuCount >= 2 && hasTaskset(),
  cpuProfDir: process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined,
};
settings.redisCpu = redisCpu();
settings.client = loadGenerator();

/** Which load generator the HTTP scenarios use: { name, create }. */
function loadGenerator() {
  const wanted = process.env.BENCH_CLIENT ?? "auto";
  if (!["auto", "wrk", "node"].includes(wanted)) throw new Error(`BENCH_CLIENT must be auto, wrk or node, got ${JSON.stringify(wanted)}`);
  const wrk = wanted === "node" ? undefined : wrkVersion();
  if (wanted === "wrk" && wrk === undefined) throw new Error("BENCH_CLIENT=wrk, but wrk is not on PATH (Debian: apt-get install -y wrk)");
  return wrk === undefined ? { name: "node:http client (bench/load.mjs)", create: createClient } : { name: `${wrk} (one thread)`, create: createWrkClient };
}

/** Off the servers' CPU 1: a core of its own when there is one, else the load generator's (which idles much of the time). */
function redisCpu() {
  const raw = process.env.BENCH_REDIS_CPU;
  if (raw === undefined || raw === "") return cpuCount >= 3 ? 2 : 0;
  const cpu = Number(raw);
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= cpuCount) throw new Error(`BENCH_REDIS_CPU must be a CPU number from 0 to ${cpuCount - 1}, got ${JSON.stringify(raw)}`);
  return cpu;
}

function hasTaskset() {
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Restricts a process (all its threads) to `cpus`, e.g. "1" or "0-1"; a no-op without pinning. */
function pin(pid, cpus) {
  if (settings.pin) execFileSync("taskset", ["-a", "-p", "-c", String(cpus), String(pid)], { stdio: "ignore" });
}

/** The load generator gets CPU 0 during HTTP scenarios; servers get CPU 1. */
const pinLoadGenerator = () => pin(process.pid, 0);
const unpinLoadGenerator = () => pin(process.pid, `0-${cpuCount - 1}`);

// ---------------------------------------------------------------------------------------------
// Servers: one child process per target.

const children = new Set();
let serversStarted = 0;

/** Starts a target app in a child process and resolves once it listens. */
function startServer(spec) {
  const variant = spec.states ?? spec.sessions;
  const profileName = `${String(++serversStarted).padStart(2, "0")}-${spec.kind}${variant === undefined ? "" : `-${variant}`}.cpuprofile`;
  const execArgv = settings.cpuProfDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${settings.cpuProfDir}`, `--cpu-prof-name=${profileName}`];
  const child = fork(path.join(here, "server.mjs"), [JSON.stringify(spec)], { execArgv, stdio: "inherit" });
  children.add(child);
  const replies = [];
  child.on("message", (message) => replies.shift()?.(message));
  const next = () => new Promise((resolve) => replies.push(resolve));
  return new Promise((resolve, reject) => {
    let ready = false;
    child.once("exit", (code, signal) => {
      const err = new Error(`bench server ${spec.kind} exited unexpectedly (code ${code}, signal ${signal})`);
      if (ready) abort(err);
      else reject(err);
    });
    next().then((message) => {
      ready = true;
      pin(child.pid, 1);
      resolve({
        port: message.port,
        async cpuUs() {
          const reply = next();
          child.send({ type: "cpu" });
          const { usage } = await reply;
          return usage.user + usage.system;
        },
        stop() {
          children.delete(child);
          return new Promise((done) => {
            child.removeAllListeners("exit");
            child.once("exit", () => done());
            child.send({ type: "exit" });
          });
        },
      });
    });
  });
}

/** Stops the redis-server of scenario 5 (synchronously, SIGKILL), once one runs. */
let killRedis = () => {};

function killChildren() {
  for (const child of children) child.kill();
  killRedis();
}

/** Removes the temp directory, once main() has made one. */
let removeTempDir = () => {};

/** Ends the run on a setup failure (not on a missed goal): stops servers, removes files, exits 1. */
function abort(err) {
  console.error(err instanceof Error ? err.stack : err);
  killChildren();
  removeTempDir();
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Measurement.

/** Starts `settings.processes` server processes of one app: pooling them averages out per-process luck. */
async function startServers(spec) {
  const servers = [];
  for (let i = 0; i < settings.processes; i++) servers.push(await startServer(spec));
  return servers;
}

/** One thing to measure: the same request sent to each process of an app, through its own client. */
function target(label, servers, request) {
  return { label, instances: servers.map((server) => ({ server, client: settings.client.create({ ...request, port: server.port }) })) };
}

function post(uri) {
  return {
    method: "POST",
    path: uri,
    body: Buffer.from(FORM_BODY),
    headers: { "content-type": "application/x-www-form-urlencoded" },
    connections: settings.connections,
  };
}

/** A POST whose requests send `bodies` in turn. */
function postEach(uri, bodies) {
  return { ...post(uri), body: undefined, bodies: bodies.map((body) => Buffer.from(body)) };
}

/**
 * Fails the run (a setup bug, not a benchmark result) when a target does not answer as expected.
 * @param check - (response, target) => a problem description, or undefined when the answer is right.
 */
async function expectResponses(targets, check) {
  for (const t of targets) {
    for (const { client } of t.instances) {
      const problem = check(await client.request(true), t);
      if (problem) throw new Error(`${t.label}: ${problem}`);
    }
  }
}

function twimlCheck(res) {
  if (res.status !== 200) return `status ${res.status}, expected 200`;
  if (res.headers["content-type"] !== TWIML_TYPE) return `content-type ${res.headers["content-type"]}, expected ${TWIML_TYPE}`;
  if (res.body.toString() !== TWIML) return "body is not the expected TwiML";
  return undefined;
}

/**
 * Checks the targets' answers (and runs `verify`, when given, for checks of its own), warms every
 * process, then runs `rounds` rounds, each measuring every target once (on the next of its
 * processes); the order flips every round (A B C, C B A, ...) so slow drift hits all targets
 * alike. Stops the servers afterwards.
 */
async function compare(targets, serverGroups, check, { rounds = settings.rounds, warmupSeconds = settings.warmupSeconds, verify } = {}) {
  try {
    await expectResponses(targets, check);
    await verify?.();
    for (const t of targets) for (const { client } of t.instances) await client.run(warmupSeconds * 1000);
    const samples = new Map(targets.map((t) => [t, []]));
    for (let round = 0; round < rounds; round++) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
        const { server, client } = t.instances[round % t.instances.length];
        const cpuBefore = await server.cpuUs();
        const result = await client.run(settings.seconds * 1000);
        const serverCpuUs = (await server.cpuUs()) - cpuBefore;
        if (result.errors > 0) throw new Error(`${t.label}: ${result.errors} failed requests`);
        samples.get(t).push({ ...result, serverCpuUs });
        process.stdout.write(".");
      }
    }
    process.stdout.write("\n");
    return targets.map((t) => summarise(t.label, samples.get(t)));
  } finally {
    for (const t of targets) for (const { client } of t.instances) client.close();
    await Promise.all(serverGroups.flat().map((server) => server.stop()));
  }
}

function summarise(label, runs) {
  const rps = runs.map((r) => r.rps);
  return {
    label,
    rps: median(rps),
    /** Each round's req/s, in round order (the targets of one round ran seconds apart). */
    rounds: rps,
    min: Math.min(...rps),
    max: Math.max(...rps),
    serverUsPerReq: median(runs.map((r) => r.serverCpuUs / r.completed)),
    serverLoad: median(runs.map((r) => r.serverCpuUs / 1000 / r.elapsedMs)),
    // undefined with wrk, whose CPU time is not read back
    clientLoad: runs.some((r) => r.clientCpuUs === undefined) ? undefined : median(runs.map((r) => r.clientCpuUs / 1000 / r.elapsedMs)),
    mbPerSec: median(runs.map((r) => r.bytes / 1e6 / (r.elapsedMs / 1000))),
  };
}

function printRps(title, results, { showMb = false } = {}) {
  const header = ["target", "req/s (median)", "min..max", "server CPU us/req", "server CPU", "client CPU"];
  if (showMb) header.push("MB/s");
  const rows = results.map((r) => {
    const row = [
      r.label,
      formatNumber(r.rps),
      `${formatNumber(r.min)}..${formatNumber(r.max)}`,
      formatNumber(r.serverUsPerReq, 1),
      `${formatNumber(r.serverLoad * 100)}%`,
      r.clientLoad === undefined ? "n/a" : `${formatNumber(r.clientLoad * 100)}%`,
    ];
    if (showMb) row.push(formatNumber(r.mbPerSec));
    return row;
  });
  console.log(`\n${title}\n${table(header, rows)}`);
  if (results.some((r) => r.serverLoad < 0.85)) {
    console.log(
      "  note: a server got under 85% of a core (median round): other processes used the CPU, so req/s is noisy;\n" +
        "  server CPU us/req (CPU time the server spent per request) is the steadier comparison.",
    );
  }
}

const summary = [];
/** Printed after the summary: what a run left out. */
const notices = [];

/**
 * Records a goal. `check` is a second view of the same comparison, shown next to it: for HTTP
 * scenarios the ratio of server CPU time per request (steady when the machine is busy).
 */
function addRatio(name, value, goal, higherIsBetter, check = "") {
  const pass = higherIsBetter ? value >= goal : value <= goal;
  const goalText = `${higherIsBetter ? ">=" : "<="} ${goal}`;
  summary.push({ name, value, goal: goalText, pass, check });
  console.log(`  ${name}: ${formatNumber(value, 3)} (goal ${goalText}) ${pass ? "PASS" : "MISS"}${check ? `; ${check}` : ""}`);
}

/**
 * Adds a req/s goal for `a` relative to `b`, with two checks: the CPU-per-request ratio (b/a: higher
 * is better too), and the spread of the ratio round by round (a and b ran back to back in each round,
 * so a machine slowing down between rounds moves both: the spread is the noise left in the ratio).
 */
function addRpsRatio(name, a, b, goal = 0.95) {
  const perRound = a.rounds.map((rps, i) => rps / b.rounds[i]);
  const spread = `${formatNumber(Math.min(...perRound), 2)}..${formatNumber(Math.max(...perRound), 2)}`;
  addRatio(name, a.rps / b.rps, goal, true, `by server CPU/req ${formatNumber(b.serverUsPerReq / a.serverUsPerReq, 3)}, by round ${spread}`);
}

// ---------------------------------------------------------------------------------------------
// Scenarios.

async function scenarioRouting() {
  console.log("\n[1] POST /incoming-call: library (one routable end state, validate: false) vs bare Express 5");
  const lib = await startServers({ kind: "lib-incoming" });
  const bare = await startServers({ kind: "bare-incoming" });
  const targets = [target("library", lib, post(INCOMING_URI)), target("bare express", bare, post(INCOMING_URI))];
  const [libResult, bareResult] = await compare(targets, [lib, bare], twimlCheck);
  printRps("Scenario 1: routing one TwiML state", [libResult, bareResult]);
  addRpsRatio("1. lib/bare req/s", libResult, bareResult);
}

async function scenarioStateCount() {
  const n = settings.states;
  console.log(`\n[2] POST to the first and the last state: app with 10 states vs app with ${formatNumber(n)} states`);
  const small = await startServers({ kind: "lib-states", states: 10 });
  const large = await startServers({ kind: "lib-states", states: n });
  const targets = [
    target("10 states, first", small, post(stateUri(0))),
    target("10 states, last", small, post(stateUri(9))),
    target(`${formatNumber(n)} states, first`, large, post(stateUri(0))),
    target(`${formatNumber(n)} states, last`, large, post(stateUri(n - 1))),
  ];
  const [smallFirst, smallLast, largeFirst, largeLast] = await compare(targets, [small, large], twimlCheck);
  printRps("Scenario 2: state count", [smallFirst, smallLast, largeFirst, largeLast]);
  addRpsRatio(`2a. ${n}/10 states req/s, first state`, largeFirst, smallFirst);
  addRpsRatio(`2b. ${n}/10 states req/s, last state`, largeLast, smallLast);
}

function scenarioCreation(root) {
  const sets = [
    {
      label: `${formatNumber(settings.smallFiles)} files x ${settings.smallKb} KB`,
      count: settings.smallFiles,
      size: Math.round(settings.smallKb * 1024),
      prefix: "small",
    },
    {
      label: `${settings.largeFiles} files x ${settings.largeMb} MB`,
      count: settings.largeFiles,
      size: Math.round(settings.largeMb * 1024 * 1024),
      prefix: "large",
    },
  ];
  console.log("\n[3] twilioIvr() with staticFiles.path (fingerprints every file) vs find | xargs md5sum");
  const span = (values) => `${formatMs(Math.min(...values))}..${formatMs(Math.max(...values))}`;
  const rows = [];
  for (const set of sets) {
    const dir = path.join(root, set.prefix);
    writeRandomFiles(dir, set);
    const { library, md5sum, warm } = compareCreation(dir, settings.creationRuns);
    fs.rmSync(dir, { recursive: true, force: true });
    Object.assign(set, { library: median(library), md5sum: median(md5sum), warm: median(warm) });
    rows.push([
      set.label,
      formatMs(set.library),
      formatMs(set.md5sum),
      formatNumber(set.library / set.md5sum, 3),
      span(library),
      span(md5sum),
      formatMs(set.warm),
    ]);
  }
  console.log(`\nScenario 3: app creation time (median of ${settings.creationRuns} runs, page cache warm)`);
  console.log(
    table(
      ["files", "twilioIvr() fresh process", "md5sum", "lib/md5sum", "twilioIvr() min..max", "md5sum min..max", "twilioIvr() warm"],
      rows,
    ),
  );
  console.log(
    "  twilioIvr() is timed alone (not Node start-up or require) in a fresh process per run, as at an app's start;\n" +
      "  'warm' = later calls in one process, after V8 has optimised the hashing loop.",
  );
  for (const set of sets) {
    addRatio(`3. lib/md5sum time, ${set.label}`, set.library / set.md5sum, 1.25, false, `warm process ${formatNumber(set.warm / set.md5sum, 3)}`);
  }
}

async function scenarioStatic(root) {
  console.log("\n[4] GET /static/big.bin?v=<md5> (3 MB): library static files vs bare serve-static with the same options");
  const dir = path.join(root, "static");
  fs.mkdirSync(dir, { recursive: true });
  const content = crypto.randomBytes(3 * 1024 * 1024);
  fs.writeFileSync(path.join(dir, "big.bin"), content);
  const md5 = crypto.createHash("md5").update(content).digest("hex");
  const request = { method: "GET", path: `/static/big.bin?v=${md5}`, connections: settings.staticConnections };

  const lib = await startServers({ kind: "lib-static", dir });
  const bare = await startServers({ kind: "bare-static-same", dir });
  const targets = [target("library", lib, request), target("serve-static, same options", bare, request)];
  const fileCheck = (res, t) => {
    if (res.status !== 200) return `status ${res.status}, expected 200`;
    if (!content.equals(res.body)) return "body differs from the file";
    if (t === targets[0] && !/max-age=31536000/.test(res.headers["cache-control"] ?? "")) return "no far-future Cache-Control";
    return undefined;
  };
  // Moving 3 MB per request is noisier than TwiML: twice the rounds.
  const [libResult, bareResult] = await compare(targets, [lib, bare], fileCheck, { rounds: settings.rounds * 2 });
  printRps("Scenario 4: fingerprinted 3 MB static file", [libResult, bareResult], { showMb: true });
  addRpsRatio("4. lib/serve-static (same options) req/s", libResult, bareResult);
}

/** Scenario 6: a request signed by Twilio (validation on) against the same request with validation off. */
async function scenarioSigned() {
  console.log("\n[6] POST /incoming-call behind a TLS proxy, with a valid X-Twilio-Signature: validate: true vs validate: false");
  const params = Object.fromEntries(new URLSearchParams(FORM_BODY));
  // Signed with the twilio package's own function, for the public URL Twilio would call.
  const signature = twilio.getExpectedTwilioSignature(SIGNING_TOKEN, `https://${SIGNED_HOST}${INCOMING_URI}`, params);
  const signed = await startServers({ kind: "lib-signed" });
  const unsigned = await startServers({ kind: "lib-unsigned" });
  // Byte for byte the same request to both: Twilio signs every webhook whatever the app's config,
  // so the ratio is the cost of checking the signature, not of parsing one more header.
  const plain = post(INCOMING_URI);
  const request = { ...plain, headers: { ...plain.headers, "x-twilio-signature": signature } };
  const targets = [target("signed (validate: true)", signed, request), target("unsigned (validate: false)", unsigned, request)];
  const [signedResult, unsignedResult] = await compare(targets, [signed, unsigned], twimlCheck);
  printRps("Scenario 6: signed requests", [signedResult, unsignedResult]);
  addRpsRatio("6. signed/unsigned req/s", signedResult, unsignedResult, 0.85);
}

/** Scenario 7: the library against the floor of any Express app (the same TwiML, no body parsing at all). */
async function scenarioFloor() {
  console.log("\n[7] the library (body parsed, state run) vs a bare Express app answering the same TwiML without parsing the body");
  const end = await startServers({ kind: "lib-incoming" });
  const transition = await startServers({ kind: "lib-transition" });
  const floor = await startServers({ kind: "bare-floor" });
  const answer = postEach(CHOICE_URI, [`${FORM_BODY}&Digits=1`]);
  const targets = [
    target("end state (POST its uri)", end, post(INCOMING_URI)),
    target("transition (POST processTransitionUri)", transition, answer),
    target("floor: POST /incoming-call", floor, post(INCOMING_URI)),
    target("floor: POST /incoming-call/choice", floor, answer),
  ];
  const [endResult, transitionResult, floorIncoming, floorChoice] = await compare(targets, [end, transition, floor], twimlCheck);
  printRps("Scenario 7: the Express floor", [endResult, transitionResult, floorIncoming, floorChoice]);
  addRpsRatio("7a. end state/floor req/s", endResult, floorIncoming);
  addRpsRatio("7b. transition/floor req/s", transitionResult, floorChoice);
}

/**
 * Scenario 5: the cost of call sessions. One app shape, four configurations, measured side by side;
 * the requests rotate over SESSION_CALLS CallSids (sessions are keyed by CallSid).
 */
async function scenarioSessions() {
  console.log(
    `\n[5] POST ${SESSION_URI} (one routable state, ${SESSION_CALLS} CallSids in turn): sessions off vs sessions: {} untouched,\n` +
      "    vs one session.get + one session.set per request on MemoryStore, and on RedisStore (real redis-server)",
  );
  const binary = findRedisServer();
  let redis;
  if (binary === undefined) {
    const notice = "*** redis-server is not installed: scenario 5's RedisStore target (5d) is SKIPPED. Install it: apt-get install -y redis-server ***";
    console.log(`\n${notice}\n`);
    notices.push(notice);
  } else {
    redis = await startRedisServer(binary);
    killRedis = () => redis.kill();
    pin(redis.pid, settings.redisCpu);
    console.log(`    redis-server ${redis.url} (persistence off)${settings.pin ? `, on CPU ${settings.redisCpu}` : ""}`);
  }

  const bodies = Array.from({ length: SESSION_CALLS }, (_, i) => formBody(callSid(`5e55${i.toString(16).padStart(4, "0")}`)));
  const request = postEach(SESSION_URI, bodies);
  const modes = [
    ["A: sessions off", "off"],
    ["B: sessions: {}, untouched", "untouched"],
    ["C: MemoryStore get+set", "memory"],
  ];
  if (redis !== undefined) modes.push(["D: RedisStore get+set", "redis"]);
  // Started side by side: eight Node processes one after the other would take seconds.
  const groups = await Promise.all(modes.map(([, sessions]) => startServers({ kind: "lib-session", sessions, ...(sessions === "redis" ? { redisUrl: redis.url } : {}) })));
  const targets = modes.map(([label], i) => target(label, groups[i], request));
  /** What each target's TwiML says after "Visit ": a fixed word, or the counter from the session. */
  const says = ["off", "on", "counter", "counter"];

  const sessionCheck = (res, t) => {
    if (res.status !== 200) return `status ${res.status}, expected 200`;
    if (res.headers["content-type"] !== TWIML_TYPE) return `content-type ${res.headers["content-type"]}, expected ${TWIML_TYPE}`;
    const visit = visitOf(res.body.toString());
    if (visit === undefined) return "body is not the expected TwiML";
    const want = says[targets.indexOf(t)];
    if (want === "counter" ? !/^[1-9]\d*$/.test(visit) : visit !== want) {
      return `TwiML says "Visit ${visit}", expected ${want === "counter" ? "a visit number" : `"Visit ${want}"`}`;
    }
    return undefined;
  };

  // The counter targets must really keep it per call: a fresh call counts 1 then 2, another fresh
  // call starts at 1 again, and (Redis) the call's hash holds the counter.
  let verifyCalls = 0;
  const verify = async () => {
    for (const [index, t] of targets.entries()) {
      if (says[index] !== "counter") continue;
      for (const [i, { client }] of t.instances.entries()) {
        const sids = [callSid(`feed${index}${i}0`), callSid(`feed${index}${i}1`)];
        if (t === targets[3]) verifyCalls += sids.length;
        for (const [sid, expected] of [[sids[0], "1"], [sids[0], "2"], [sids[1], "1"]]) {
          const res = await client.request(true, Buffer.from(formBody(sid)));
          const visit = res.status === 200 ? visitOf(res.body.toString()) : `(status ${res.status})`;
          if (visit !== expected) throw new Error(`${t.label}: call ${sid} got "Visit ${visit}", expected "Visit ${expected}": the session counter is not kept`);
        }
        if (t === targets[3]) {
          const stored = await bulk(redis.port, `HGET tif:call:${sids[0]} f:n`);
          if (stored !== "2") throw new Error(`${t.label}: Redis hash tif:call:${sids[0]} field f:n is ${stored}, expected 2`);
        }
      }
    }
  };

  try {
    // Four targets: fewer rounds and a shorter warm-up than the other scenarios, to keep it under a minute.
    const results = await compare(targets, groups, sessionCheck, {
      rounds: Math.max(2, Math.round(settings.rounds * 0.75)),
      warmupSeconds: settings.warmupSeconds * (2 / 3),
      verify,
    });
    printRps(`Scenario 5: call sessions (${SESSION_CALLS} calls in turn)`, results);
    if (redis !== undefined) {
      const keys = Number((await command(redis.port, "DBSIZE")).slice(1));
      let sum = 0;
      for (const body of bodies) sum += Number(await bulk(redis.port, `HGET tif:call:${new URLSearchParams(body).get("CallSid")} f:n`)) || 0;
      console.log(
        `  Redis after the run: ${keys} calls (${SESSION_CALLS} rotating + ${verifyCalls} from the checks before measuring); the rotating calls' counters ` +
          `sum to ${formatNumber(sum)} (one per request to D, warm-up included, less increments lost to concurrent requests on one call)`,
      );
      if (keys !== SESSION_CALLS + verifyCalls) throw new Error(`Redis holds ${keys} calls, expected ${SESSION_CALLS + verifyCalls}: sessions are not keyed by CallSid`);
    }
    const [off, untouched, memory, redisResult] = results;
    addRpsRatio("5b. sessions untouched/off req/s", untouched, off, 0.95);
    addRpsRatio("5c. MemoryStore get+set/off req/s", memory, off, 0.9);
    if (redisResult !== undefined) addRpsRatio("5d. RedisStore get+set/off req/s", redisResult, off, 0.6);
  } finally {
    await redis?.stop();
    killRedis = () => {};
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (!fs.existsSync(path.join(here, "..", "dist", "index.cjs"))) {
    throw new Error("dist/index.cjs is missing: build first (npm run build, or npx tsup)");
  }
  const cpus = os.cpus();
  console.log(`twilio-interactive-flow benchmark${quick ? " (--quick: smoke run, numbers are rough)" : ""}`);
  console.log(`node ${process.version}, ${cpus.length} x ${cpus[0]?.model ?? "cpu"}, ${settings.pin ? "load generator on CPU 0, servers on CPU 1" : "no CPU pinning"}`);
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");
  console.log(`load average at start: ${load()} (other processes on these ${cpus.length} cores make the numbers noisier)`);
  console.log(`load generator: ${settings.client.name}${settings.client.create === createClient ? "" : "; its rounds last whole seconds, at least 2"}`);
  console.log(
    `${settings.processes} server process(es) per app; ${settings.rounds} rounds x ${settings.seconds}s per target ` +
      `(${settings.rounds * 2} for the 3 MB file) after ${settings.warmupSeconds}s warm-up per process; ` +
      `${settings.connections} connections (${settings.staticConnections} for the 3 MB file)`,
  );

  const root = fs.mkdtempSync(path.join(os.tmpdir(), "tif-bench-"));
  removeTempDir = () => fs.rmSync(root, { recursive: true, force: true });
  process.once("SIGINT", () => {
    killChildren();
    removeTempDir();
    process.exit(130);
  });
  const started = Date.now();
  try {
    pinLoadGenerator();
    if (settings.only.has("1")) await scenarioRouting();
    if (settings.only.has("2")) await scenarioStateCount();
    if (settings.only.has("4")) await scenarioStatic(root);
    if (settings.only.has("5")) await scenarioSessions();
    if (settings.only.has("6")) await scenarioSigned();
    if (settings.only.has("7")) await scenarioFloor();
    // Both sides of scenario 3 may use every core (md5sum runs as a pipeline of processes).
    unpinLoadGenerator();
    if (settings.only.has("3")) scenarioCreation(root);
  } finally {
    killChildren();
    removeTempDir();
  }

  console.log(`\n=== Summary (${((Date.now() - started) / 1000).toFixed(0)} s${quick ? ", --quick" : ""}) ===`);
  console.log(
    table(
      ["ratio", "value", "goal", "result", "cross-check"],
      [...summary].sort((x, y) => x.name.localeCompare(y.name)).map((s) => [s.name, formatNumber(s.value, 3), s.goal, s.pass ? "PASS" : "MISS", s.check]),
    ),
  );
  for (const notice of notices) console.log(notice);
  console.log(`load average at end: ${load()}`);
  const missed = summary.filter((s) => !s.pass).length;
  console.log(missed === 0 ? "All goals met." : `${missed} goal(s) missed (reported, not a failure).`);
}

main().catch(abort);
