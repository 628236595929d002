// Soak test: many simulated calls walk the Foo Corp example (examples/foo-corp) at once, for a
// while, against the example app running as its own process with its call sessions in a real
// redis-server. Loopback only; bounded in calls and time. `npm run soak` (builds first), or
//
//   node scripts/soak.mjs [--seconds 60] [--calls 200] [--warmup 10] [--seed 1] [--json]
//                         [--max-rss-growth 20] [--lib dist/index.cjs] [--testing dist/testing.cjs] [--help]
//
//   --seconds N         length of the whole run, warm-up included (calls in progress then finish)
//   --calls N           simulated calls in progress at any moment; each caller places a new call
//                       as soon as its last one ended
//   --warmup N          seconds before the server's RSS baseline is taken; latency figures are
//                       those of the requests started after it
//   --seed N            seed of the walk choice (the run is otherwise driven by timing)
//   --max-rss-growth P  fail when the server's RSS grew by P % or more after the warm-up
//   --lib, --testing    the library build the server loads, and the testing kit's build
//   --json              print one JSON object instead of the report
//
// A call fails on any simulator error (non-200 answer, invalid TwiML, 11200 timeout), any text
// said that its walk did not expect, or when it takes longer than 30 s. Every weather lookup is
// checked in Redis (the call's hash `tif:call:<CallSid>`): the forecast the lookup wrote and the
// poll count the polls wrote must be there, as the caller observed them; a missing or wrong field
// is a lost write. Every call ends with the status callback, after which its hash must be gone.
// Exit status 0 only with no failure, no lost write, no hash left behind and RSS growth under
// the limit; 1 otherwise; 2 when the run could not start.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import diagnostics from "node:diagnostics_channel";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createClient } from "redis";
import { findRedisServer, freePort, startRedisServer } from "../bench/redis.mjs";
import { seededRandom } from "./seeded-random.mjs";
import { DEFAULT_FORECAST, SoakFailure, WALKS, WELCOME } from "./soak/walks.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SERVER = path.join(ROOT, "scripts", "soak", "server.cjs");
const STATUS_CALLBACK_URI = "/call-status";
const KEY_PREFIX = "tif:call:";
const CALL_TIMEOUT_MS = 30_000;
/** The example's weather WAIT state holds one second per poll: waited in real time, as Twilio would. */
const PAUSE_MS = 1000;

function usage(message) {
  console.error(`soak: ${message}`);
  console.error("usage: node scripts/soak.mjs [--seconds 60] [--calls 200] [--warmup 10] [--seed 1] [--max-rss-growth 20] [--lib PATH] [--testing PATH] [--json] [--help]");
  process.exit(2);
}

function readOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        seconds: { type: "string", default: "60" },
        calls: { type: "string", default: "200" },
        warmup: { type: "string", default: "10" },
        seed: { type: "string", default: "1" },
        "max-rss-growth": { type: "string", default: "20" },
        lib: { type: "string", default: "dist/index.cjs" },
        testing: { type: "string", default: "dist/testing.cjs" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
    }));
  } catch (err) {
    usage(err.message);
  }
  if (values.help) {
    // The header comment of this file is the help.
    const header = fs.readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");
    console.log(header.slice(0, header.findIndex((line) => !line.startsWith("//"))).map((line) => line.replace(/^\/\/ ?/, "")).join("\n"));
    process.exit(0);
  }
  const number = (name, { integer = false, min = 0 } = {}) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) usage(`--${name} must be a ${integer ? "whole " : ""}number >= ${min}, got ${values[name]}`);
    return value;
  };
  const options = {
    seconds: number("seconds", { min: 1 }),
    calls: number("calls", { integer: true, min: 1 }),
    warmup: number("warmup"),
    seed: number("seed", { integer: true }),
    maxRssGrowth: number("max-rss-growth"),
    lib: path.resolve(ROOT, values.lib),
    testing: path.resolve(ROOT, values.testing),
    json: values.json,
  };
  if (options.warmup >= options.seconds) usage(`--warmup (${options.warmup}) must be shorter than --seconds (${options.seconds})`);
  if (options.calls > 2000) usage("--calls is limited to 2000");
  if (options.seconds > 3600) usage("--seconds is limited to 3600");
  for (const file of [options.lib, options.testing]) {
    if (!fs.existsSync(file)) usage(`${path.relative(ROOT, file)} does not exist: run \`npm run build\` first (npm run soak does)`);
  }
  return options;
}

/** The resident set size of a process, in bytes, from /proc (Linux). */
function rssOf(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const mb = (bytes) => (bytes === undefined ? "-" : `${(bytes / 1024 / 1024).toFixed(1)} MB`);
const ms = (value) => (Number.isFinite(value) ? `${value.toFixed(value < 100 ? 1 : 0)} ms` : "-");

/** Starts the example server (scripts/soak/server.cjs) and resolves once it listens. */
async function startServer({ lib, port, authToken, redisUrl }) {
  // --expose-gc: the heap figures are read after a full GC (the RSS figures are not).
  const child = spawn(process.execPath, ["--expose-gc", SERVER], {
    cwd: ROOT,
    env: { ...process.env, SOAK_LIB: lib, PORT: String(port), TWILIO_AUTH_TOKEN: authToken, REDIS_URL: redisUrl },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const stderr = { lines: 0, last: [] };
  let buffered = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop();
    for (const line of lines) {
      stderr.lines++;
      stderr.last.push(line);
      if (stderr.last.length > 30) stderr.last.shift();
    }
  });
  child.stdout.setEncoding("utf8");
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the example server did not start within 15 s")), 15_000);
    child.stdout.on("data", (chunk) => {
      if (chunk.includes("listening on")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the example server exited (${signal ?? code}) before listening: ${stderr.last.join(" | ")}`));
    });
  });
  child.stdout.resume();
  /** Sends an IPC message and resolves with the answer of `type` (see server.cjs), or undefined when the server is gone. */
  const ask = (message, type) =>
    new Promise((resolve, reject) => {
      if (!child.connected) {
        resolve(undefined);
        return;
      }
      const timer = setTimeout(() => {
        child.off("message", onMessage);
        reject(new Error(`the example server did not answer "${message}" within 10 s`));
      }, 10_000);
      const onMessage = (answer) => {
        if (answer?.type !== type) return;
        clearTimeout(timer);
        child.off("message", onMessage);
        resolve(answer);
      };
      child.on("message", onMessage);
      child.send(message, (err) => {
        if (err) {
          clearTimeout(timer);
          child.off("message", onMessage);
          resolve(undefined);
        }
      });
    });
  return { child, stderr, ask };
}

/** Ends a child with SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
function stopChild(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * Times every webhook the simulator sends (it sends them with node:http): request start to the
 * end of the response body, through Node's HTTP diagnostics channels, without touching the kit.
 */
function timeRequests(origin) {
  const samples = [];
  const started = new WeakMap();
  const onStart = ({ request }) => {
    if (request.host === origin.hostname) started.set(request, performance.now());
  };
  const onResponse = ({ request, response }) => {
    const start = started.get(request);
    if (start === undefined) return;
    const route = request.path.replace(/\?.*$/, "");
    response.once("end", () => {
      samples.push({ start, ms: performance.now() - start, route, status: response.statusCode });
    });
  };
  diagnostics.subscribe("http.client.request.start", onStart);
  diagnostics.subscribe("http.client.response.finish", onResponse);
  return {
    samples,
    stop() {
      diagnostics.unsubscribe("http.client.request.start", onStart);
      diagnostics.unsubscribe("http.client.response.finish", onResponse);
    },
  };
}

async function main() {
  const options = readOptions();
  const log = options.json ? () => {} : (line) => console.error(line);
  const require = createRequire(import.meta.url);
  const { simulateCall, CallStepError } = require(options.testing);

  const redisBinary = findRedisServer();
  if (redisBinary === undefined) {
    console.error("soak: redis-server is not installed (apt-get install -y redis-server)");
    process.exit(2);
  }

  const children = [];
  let redis;
  const killAll = () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    redis?.kill();
  };
  process.once("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      console.error(`soak: ${signal}: stopping the server and redis-server`);
      killAll();
      process.exit(130);
    });
  }

  redis = await startRedisServer(redisBinary);
  const port = await freePort();
  // A fresh token per run: signature validation is on, and the simulator signs with it. Never printed.
  const authToken = crypto.randomBytes(24).toString("hex");
  const { child: server, stderr: serverStderr, ask } = await startServer({ lib: options.lib, port, authToken, redisUrl: redis.url });
  children.push(server);
  const db = createClient({ url: redis.url });
  db.on("error", () => {});
  await db.connect();

  const base = `http://127.0.0.1:${port}`;
  log(`soak: ${options.calls} concurrent calls for ${options.seconds} s (warm-up ${options.warmup} s, seed ${options.seed}) against the Foo Corp example on ${base}, sessions in redis-server on port ${redis.port}`);

  const random = seededRandom(options.seed);
  const timing = timeRequests(new URL(base));
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();

  const stats = {
    callsStarted: 0,
    callsCompleted: 0,
    callsFailed: 0,
    failures: [],
    lostWrites: 0,
    lostWriteExamples: [],
    weatherChecks: 0,
    pollCountWrites: 0,
    leftBehind: 0,
    byWalk: Object.fromEntries(WALKS.map((w) => [w.name, { completed: 0, failed: 0 }])),
  };
  const noteFailure = (walk, callSid, reason) => {
    stats.callsFailed++;
    stats.byWalk[walk].failed++;
    if (stats.failures.length < 5) stats.failures.push(`${walk} (${callSid}): ${reason.split("\n").slice(0, 3).join(" / ").slice(0, 400)}`);
  };

  /** Compares the call's Redis hash with what the caller observed of the weather lookup. */
  async function checkWeather(callSid, waits) {
    stats.weatherChecks++;
    const hash = await db.hGetAll(KEY_PREFIX + callSid);
    const expected = { "f:weather": JSON.stringify(DEFAULT_FORECAST), "f:weatherPolls": waits === 0 ? undefined : JSON.stringify(waits), "f:weatherError": undefined };
    stats.pollCountWrites += waits;
    for (const [field, value] of Object.entries(expected)) {
      if (hash[field] !== value) {
        stats.lostWrites++;
        if (stats.lostWriteExamples.length < 5) stats.lostWriteExamples.push(`${callSid} ${field}: Redis has ${JSON.stringify(hash[field])}, expected ${JSON.stringify(value)} (${waits} polls waited)`);
      }
    }
  }

  async function runCall(walk, callSid) {
    const call = await simulateCall(base, { uri: "/incoming-call", authToken, callSid, statusCallback: STATUS_CALLBACK_URI, pauseMs: PAUSE_MS });
    if (JSON.stringify(call.said) !== JSON.stringify([WELCOME]) || call.waitingFor !== "gather") {
      throw new SoakFailure(`welcome: heard ${JSON.stringify(call.said)}, waiting for ${call.waitingFor}`);
    }
    await walk.run(call, { checkWeather });
    if (!call.ended) throw new SoakFailure(`the walk ended but the call did not (waiting for ${call.waitingFor})`);
    const requests = call.transcript.filter((e) => e.type === "request");
    const last = requests.at(-1);
    if (last?.url !== `${base}${STATUS_CALLBACK_URI}` || last.status !== 204) {
      throw new SoakFailure(`the status callback was not answered 204: ${last === undefined ? "no request" : `${last.method} ${last.url} ${last.status}`}`);
    }
    const bad = requests.slice(0, -1).find((e) => e.status !== 200);
    if (bad !== undefined) throw new SoakFailure(`${bad.method} ${bad.url} answered ${bad.status}`);
    if ((await db.exists(KEY_PREFIX + callSid)) !== 0) {
      stats.leftBehind++;
      throw new SoakFailure(`its session hash is still in Redis after the status callback`);
    }
  }

  const startedAt = performance.now();
  const warmupAt = startedAt + options.warmup * 1000;
  const endAt = startedAt + options.seconds * 1000;
  let activeCalls = 0;

  async function caller() {
    while (performance.now() < endAt) {
      const walk = random.pick(WALKS);
      // Every call its own CallSid, as Twilio gives it.
      const callSid = `CA${crypto.randomBytes(16).toString("hex")}`;
      stats.callsStarted++;
      activeCalls++;
      let timer;
      try {
        await Promise.race([
          runCall(walk, callSid),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new SoakFailure(`no end within ${CALL_TIMEOUT_MS / 1000} s`)), CALL_TIMEOUT_MS);
          }),
        ]);
        stats.callsCompleted++;
        stats.byWalk[walk.name].completed++;
      } catch (err) {
        const known = err instanceof SoakFailure || err instanceof CallStepError;
        noteFailure(walk.name, callSid, known ? err.message : `unexpected error: ${err?.stack ?? err}`);
      } finally {
        clearTimeout(timer);
        activeCalls--;
      }
    }
  }

  // RSS of the server: sampled every second; the baseline once the warm-up is over.
  const rss = { samples: [], baseline: undefined, end: undefined, drained: undefined, peak: 0 };
  const sampleRss = () => {
    const value = rssOf(server.pid);
    if (value !== undefined) {
      rss.samples.push({ t: (performance.now() - startedAt) / 1000, bytes: value });
      rss.peak = Math.max(rss.peak, value);
    }
    return value;
  };
  sampleRss();
  const sampler = setInterval(sampleRss, 1000);
  const heap = { baseline: undefined, end: undefined };
  let baselineTaken = Promise.resolve();
  const baselineTimer = setTimeout(() => {
    rss.baseline = sampleRss();
    if (server.connected) server.send("measure", () => {});
    baselineTaken = ask("memory", "memory").then((answer) => {
      heap.baseline = answer?.heapUsed;
      log(`soak: warm-up over: server RSS ${mb(rss.baseline)} (baseline), heap after GC ${mb(heap.baseline)}`);
    });
  }, options.warmup * 1000);
  let serverReport = Promise.resolve(undefined);
  const endTimer = setTimeout(() => {
    rss.end = sampleRss();
    serverReport = ask("report", "durations");
  }, options.seconds * 1000);
  const progress = setInterval(() => {
    const t = ((performance.now() - startedAt) / 1000).toFixed(0);
    log(`soak: t=${t}s  calls completed ${stats.callsCompleted}, failed ${stats.callsFailed}, in progress ${activeCalls}, lost writes ${stats.lostWrites}, server RSS ${mb(rss.samples.at(-1)?.bytes)}`);
  }, 10_000);

  await Promise.all(Array.from({ length: options.calls }, () => caller()));
  const drainedAt = performance.now();
  clearInterval(progress);
  clearInterval(sampler);
  clearTimeout(baselineTimer);
  clearTimeout(endTimer);
  rss.end ??= sampleRss();
  rss.drained = sampleRss();
  await baselineTaken;
  const serverMeasured = await serverReport;
  const serverSorted = (serverMeasured?.durations ?? []).sort((a, b) => a - b);
  heap.end = (await ask("memory", "memory"))?.heapUsed;
  timing.stop();
  loopDelay.disable();

  const dbsize = await db.dbSize();
  const serverAlive = server.exitCode === null && server.signalCode === null;
  await db.quit().catch(() => {});
  await stopChild(server);
  await redis.stop();

  // Latency of the requests started after the warm-up and before the end of the run.
  const measured = timing.samples.filter((s) => s.start >= warmupAt && s.start < endAt);
  const sorted = measured.map((s) => s.ms).sort((a, b) => a - b);
  const windowSeconds = (endAt - warmupAt) / 1000;
  const routes = new Map();
  for (const s of measured) {
    const list = routes.get(s.route) ?? [];
    list.push(s.ms);
    routes.set(s.route, list);
  }
  const byRoute = [...routes].map(([route, list]) => {
    list.sort((a, b) => a - b);
    return { route, requests: list.length, p50: percentile(list, 50), p99: percentile(list, 99) };
  });
  byRoute.sort((a, b) => b.requests - a.requests);
  const statusCounts = {};
  for (const s of timing.samples) statusCounts[s.status] = (statusCounts[s.status] ?? 0) + 1;
  // A leak keeps growing; V8 and malloc sizing themselves to the load grow in a step, then level
  // off: the growth over the second half of the measured window tells them apart.
  const midT = (options.warmup + options.seconds) / 2;
  const mid = rss.samples.find((x) => x.t >= midT)?.bytes;
  const secondHalfGrowth = mid === undefined || rss.end === undefined ? Number.NaN : ((rss.end - mid) / mid) * 100;
  const growth = rss.baseline === undefined || rss.end === undefined ? Number.NaN : ((rss.end - rss.baseline) / rss.baseline) * 100;

  const result = {
    settings: { seconds: options.seconds, calls: options.calls, warmupSeconds: options.warmup, seed: options.seed, maxRssGrowthPercent: options.maxRssGrowth },
    calls: { started: stats.callsStarted, completed: stats.callsCompleted, failed: stats.callsFailed, byWalk: stats.byWalk },
    failures: stats.failures,
    session: { weatherLookupsChecked: stats.weatherChecks, pollCountWrites: stats.pollCountWrites, lostWrites: stats.lostWrites, lostWriteExamples: stats.lostWriteExamples, hashesLeftAfterStatusCallback: stats.leftBehind, redisKeysAtEnd: dbsize },
    requests: {
      total: timing.samples.length,
      measured: measured.length,
      perSecond: measured.length / windowSeconds,
      statusCounts,
      latencyMs: { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN },
      serverLatencyMs: {
        requests: serverSorted.length,
        p50: percentile(serverSorted, 50),
        p90: percentile(serverSorted, 90),
        p99: percentile(serverSorted, 99),
        max: serverSorted.at(-1) ?? Number.NaN,
      },
      byRoute,
    },
    serverRss: {
      baselineBytes: rss.baseline,
      endBytes: rss.end,
      afterDrainBytes: rss.drained,
      peakBytes: rss.peak,
      growthPercent: growth,
      midRunBytes: mid,
      secondHalfGrowthPercent: secondHalfGrowth,
      samplesMb: rss.samples.map((x) => [Math.round(x.t), Math.round(x.bytes / 1024 / 102.4) / 10]),
    },
    serverHeapAfterGc: { baselineBytes: heap.baseline, afterDrainBytes: heap.end },
    server: { aliveAtEnd: serverAlive, eventLoopDelayMs: serverMeasured?.eventLoopDelayMs, stderrLines: serverStderr.lines, lastStderr: serverStderr.last },
    soakProcess: { eventLoopDelayP99Ms: loopDelay.percentile(99) / 1e6, eventLoopDelayMaxMs: loopDelay.max / 1e6 },
    drainSeconds: (drainedAt - endAt) / 1000,
  };
  const problems = [];
  if (stats.callsCompleted === 0) problems.push("no call completed");
  if (stats.callsFailed > 0) problems.push(`${stats.callsFailed} failed calls`);
  if (stats.lostWrites > 0) problems.push(`${stats.lostWrites} lost session writes`);
  if (stats.leftBehind > 0 || dbsize !== 0) problems.push(`${dbsize} keys left in Redis`);
  if (!serverAlive) problems.push("the server died");
  if (!(growth < options.maxRssGrowth)) problems.push(`server RSS grew ${growth.toFixed(1)} % (limit ${options.maxRssGrowth} %)`);
  result.ok = problems.length === 0;
  result.problems = problems;

  if (options.json) {
    console.log(JSON.stringify(result));
  } else {
    const r = result;
    const lines = [
      "",
      "=== Soak: Foo Corp example, Redis sessions, signed webhooks, loopback ===",
      `run           ${options.seconds} s, ${options.calls} concurrent calls, warm-up ${options.warmup} s, seed ${options.seed}; calls in progress at the end finished in ${r.drainSeconds.toFixed(1)} s`,
      `calls         ${r.calls.completed} completed, ${r.calls.failed} failed (of ${r.calls.started} started)`,
      ...WALKS.map((w) => `                ${w.name.padEnd(26)} ${String(r.calls.byWalk[w.name].completed).padStart(7)} completed, ${r.calls.byWalk[w.name].failed} failed`),
      ...r.failures.map((f) => `  failure: ${f}`),
      `session       ${r.session.weatherLookupsChecked} weather lookups checked in Redis (${r.session.pollCountWrites} poll-count writes): ${r.session.lostWrites} lost writes`,
      ...r.session.lostWriteExamples.map((f) => `  lost write: ${f}`),
      `              ${r.session.hashesLeftAfterStatusCallback} hashes left after the status callback; Redis DBSIZE at the end: ${r.session.redisKeysAtEnd}`,
      `requests      ${r.requests.total} in all; ${r.requests.measured} after the warm-up: ${r.requests.perSecond.toFixed(0)} requests/s; statuses ${JSON.stringify(r.requests.statusCounts)}`,
      `latency       callers: p50 ${ms(r.requests.latencyMs.p50)}, p90 ${ms(r.requests.latencyMs.p90)}, p99 ${ms(r.requests.latencyMs.p99)}, max ${ms(r.requests.latencyMs.max)} (request sent to response read, in the soak process)`,
      `              server:  p50 ${ms(r.requests.serverLatencyMs.p50)}, p90 ${ms(r.requests.serverLatencyMs.p90)}, p99 ${ms(r.requests.serverLatencyMs.p99)}, max ${ms(r.requests.serverLatencyMs.max)} (arrival to response finished, in the server; ${r.requests.serverLatencyMs.requests} requests)`,
      `              both after the warm-up; callers' figures per route:`,
      ...r.requests.byRoute.map((x) => `                ${x.route.padEnd(30)} ${String(x.requests).padStart(8)} requests, p50 ${ms(x.p50)}, p99 ${ms(x.p99)}`),
      `server RSS    ${mb(r.serverRss.baselineBytes)} after the warm-up -> ${mb(r.serverRss.endBytes)} at the end: ${Number.isFinite(growth) ? `${growth >= 0 ? "+" : ""}${growth.toFixed(1)} %` : "-"} (limit ${options.maxRssGrowth} %); peak ${mb(r.serverRss.peakBytes)}, after the last calls ${mb(r.serverRss.afterDrainBytes)}`,
      `              ${mb(mid)} at ${midT.toFixed(0)} s -> ${mb(r.serverRss.endBytes)} at the end: ${Number.isFinite(secondHalfGrowth) ? `${secondHalfGrowth >= 0 ? "+" : ""}${secondHalfGrowth.toFixed(1)} %` : "-"} over the second half (a leak keeps growing; sizing to the load levels off)`,
      `server heap   ${mb(r.serverHeapAfterGc.baselineBytes)} after the warm-up, ${mb(r.serverHeapAfterGc.afterDrainBytes)} after the last calls (in use after a full GC)`,
      `server        ${r.server.aliveAtEnd ? "up at the end" : "DIED"}; event-loop delay after the warm-up p50 ${ms(r.server.eventLoopDelayMs?.p50)}, p99 ${ms(r.server.eventLoopDelayMs?.p99)}, max ${ms(r.server.eventLoopDelayMs?.max)}; ${r.server.stderrLines} lines on stderr${r.server.lastStderr.length > 0 ? `, last: ${r.server.lastStderr.slice(-3).join(" | ")}` : ""}`,
      `soak process  event-loop delay p99 ${ms(r.soakProcess.eventLoopDelayP99Ms)}, max ${ms(r.soakProcess.eventLoopDelayMaxMs)} (the simulated callers' own load)`,
      r.ok ? "result        PASS" : `result        FAIL: ${problems.join("; ")}`,
    ];
    console.log(lines.join("\n"));
  }
  process.exitCode = result.ok ? 0 : 1;
}

main().catch((err) => {
  console.error(`soak: ${err?.stack ?? err}`);
  process.exit(2);
});
