// Throws random hostile requests at the built library over loopback HTTP for a bounded time and
// checks every answer. `npm run fuzz` (builds first) or `node scripts/fuzz.mjs [options]`.
//
//   --seconds N   (or FUZZ_SECONDS)  how long to fuzz, default 20
//   --seed N      (or FUZZ_SEED)     the PRNG seed, default random (printed: rerun with it)
//   --lib PATH                       the library entry to load, default dist/index.cjs
//
// The app (signature validation on, tokens [current, old], urlFor host and scheme fixed as behind a
// proxy, a state with a Gather, a menu() and static files from a temp dir holding a file, a symlink
// leading outside it and a secret outside) runs in a child process on 127.0.0.1:0. Rounds of
// requests, generated from the seed before each round is sent (so round R input I is the same on
// every run with that seed), go out over a keep-alive agent:
//   signature  forged / missing / replayed to another URL / tampered      -> 403 "Twilio Request Validation Failed."
//   oversize   bodies over 100 kB, more than 1000 fields                   -> 413 "Request body too large."
//   malformed  bad percent-escapes, bytes that are not UTF-8               -> 400 "Malformed request body."
//   traversal  GET /static/... in many encodings and through the symlink   -> never the secret, never 200 but for a real file, never 5xx
//   signed     correctly signed random Gather inputs                       -> 200 TwiML
// Also a failure: the server process exiting, an uncaught exception or unhandled rejection in it,
// an answer slower than 2 s, or no answer. Exit 0 when nothing broke, 1 with the failing inputs.
import { fork } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { seededRandom } from "./seeded-random.mjs";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, "..");

const PUBLIC_HOST = "ivr.example.com";
const REJECTED = "Twilio Request Validation Failed.";
const TOO_LARGE = "Request body too large.";
const MALFORMED = "Malformed request body.";
const MAX_LATENCY_MS = 2000;
const NO_ANSWER_MS = 10_000;
const CONCURRENCY = 8;
const PER_ROUND = { signature: 24, oversize: 3, malformed: 10, traversal: 16, signed: 12 };
const CATEGORIES = Object.keys(PER_ROUND);

// ---------------------------------------------------------------------------------------------
// Options

function option(name, envName, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i !== -1) {
    const value = process.argv[i + 1];
    if (value === undefined) usage(`--${name} needs a value`);
    return value;
  }
  const env = envName === undefined ? undefined : process.env[envName];
  return env === undefined || env === "" ? fallback : env;
}

function usage(message) {
  process.stderr.write(`fuzz: ${message}\nusage: node scripts/fuzz.mjs [--seconds N] [--seed N] [--lib PATH]\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// The app, in the child process

function runChild() {
  const fatal = (kind) => (err) => {
    process.send?.({ type: "fatal", kind, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exitCode = 70;
    setTimeout(() => process.exit(70), 50);
  };
  process.on("uncaughtException", fatal("uncaught exception"));
  process.on("unhandledRejection", fatal("unhandled rejection"));

  const lib = require(path.resolve(option("lib", undefined, "")));
  const twilioIvr = lib.twilioIvr ?? lib.default;
  const { menu } = lib;
  const tokens = JSON.parse(process.env.FUZZ_TOKENS ?? "[]");

  const goodbye = { name: "goodbye", uri: "/goodbye", isEndState: true, twimlFor: () => "<Response><Say>Goodbye.</Say><Hangup/></Response>" };
  const incoming = {
    name: "incoming",
    uri: "/incoming",
    processTransitionUri: "/incoming/answer",
    twimlFor: (urlFor) =>
      `<Response><Gather action="${urlFor("/incoming/answer", { fingerprint: false })}" input="dtmf speech" numDigits="1"><Say>Press 1 for the menu.</Say></Gather><Play>${urlFor("/static/intro.mp3")}</Play></Response>`,
    transitionOut: (input) => (input?.Digits === "1" || /menu/i.test(String(input?.SpeechResult ?? "")) ? mainMenu : goodbye),
  };
  const mainMenu = menu({
    name: "main-menu",
    uri: "/menu",
    processTransitionUri: "/menu/answer",
    prompt: ["Press 1 for sales or 2 to start over.", "Please press 1 or 2."],
    options: [
      { keys: ["1"], phrases: ["sales"], to: goodbye },
      { keys: ["2"], phrases: ["start over"], to: () => incoming },
    ],
    onFailure: goodbye,
  });
  const app = twilioIvr([incoming, mainMenu, goodbye], {
    twilio: { authToken: tokens },
    urlFor: { host: () => PUBLIC_HOST, scheme: () => "https" },
    staticFiles: { path: process.env.FUZZ_STATIC_DIR, mountPath: "/static" },
  });
  const server = http.createServer(app);
  server.keepAliveTimeout = 30_000;
  server.listen(0, "127.0.0.1", () => process.send?.({ type: "listening", port: server.address().port }));
  process.on("disconnect", () => process.exit(0));
}

/** Random text of valid Unicode (no lone surrogates, which URLSearchParams would replace). */
function text(r, min, max) {
  const ranges = [
    [0x20, 0x7e],
    [0x20, 0x7e],
    [0x30, 0x39],
    [0x00, 0x1f],
    [0xa0, 0xff],
    [0x300, 0x36f],
    [0x400, 0x4ff],
    [0x4e00, 0x9fff],
    [0xfff0, 0xfffd],
    [0x1f300, 0x1faff],
    [0x10000, 0x10ffff],
  ];
  let out = "";
  for (let i = r.int(min, max); i > 0; i--) {
    const [lo, hi] = r.pick(ranges);
    out += String.fromCodePoint(r.int(lo, hi));
  }
  return out;
}

const TWILIO_KEYS = ["CallSid", "AccountSid", "From", "To", "CallStatus", "Direction", "Digits", "SpeechResult", "Confidence", "FinishedOnKey", "Caller", "__proto__", "constructor"];
const key = (r) => (r.chance(0.6) ? r.pick(TWILIO_KEYS) : text(r, 1, 10));
const value = (r) => r.pick([() => digits(r), () => text(r, 0, 30), () => `CA${crypto.createHash("md5").update(String(r.next())).digest("hex")}`, () => ""])();
const digits = (r) => {
  let out = "";
  for (let i = r.int(0, 8); i > 0; i--) out += r.pick("0123456789*#");
  return out;
};

/** Pairs with distinct names. */
function pairs(r, min = 0, max = 6) {
  const out = new Map();
  for (let n = r.int(min, max), tries = 0; out.size < n && tries < 50; tries++) out.set(key(r), value(r));
  return [...out];
}

/** The parameters as the library hands them on: repeated names become arrays (which Twilio's signing sorts). */
function params(list) {
  const out = {};
  for (const [k, v] of list) {
    const previous = Object.hasOwn(out, k) ? out[k] : undefined;
    const next = previous === undefined ? v : Array.isArray(previous) ? [...previous, v] : [previous, v];
    Object.defineProperty(out, k, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const encode = (list) => new URLSearchParams(list).toString();

// ---------------------------------------------------------------------------------------------
// Inputs per category. Each returns { kind, method, path, headers, body, expect }.

const ROUTES = ["/incoming", "/incoming/answer", "/menu", "/menu/answer", "/goodbye"];

function generators(tokens, twilio) {
  const sign = (token, url, list) => twilio.getExpectedTwilioSignature(token, url, params(list));
  const publicUrl = (p) => `https://${PUBLIC_HOST}${p}`;
  const query = (r) => (r.chance(0.5) ? "" : `?${Array.from({ length: r.int(1, 3) }, (_, i) => `q${i}=${r.int(0, 99999)}`).join("&")}`);
  const routed = (r) => `${r.pick(ROUTES)}${query(r)}`;
  const post = (kind, p, list, signature, expect) => ({
    kind,
    method: "POST",
    path: p,
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...(signature === undefined ? {} : { "X-Twilio-Signature": signature }) },
    body: Buffer.from(encode(list)),
    expect,
  });
  const latin1 = (r, n) => Array.from({ length: n }, () => String.fromCharCode(r.pick([r.int(0x20, 0x7e), r.int(0x80, 0xff), 9]))).join("");

  function signature(r) {
    const p = routed(r);
    const list = pairs(r, 1);
    const token = r.pick(tokens);
    const good = sign(token, publicUrl(p), list);
    const kind = r.pick(["forged", "missing", "replayed", "tampered"]);
    const send = (sub, sentPath, sentList, sig) => post(`${kind}/${sub}`, sentPath, sentList, sig, "rejected");
    if (kind === "forged") {
      const forged = r.pick([
        ["base64", () => crypto.createHash("sha1").update(String(r.next())).digest("base64")],
        ["garbage", () => text(r, 1, 40).replace(/[^\t\x20-\x7e\x80-\xff]/g, "?")],
        ["empty", () => ""],
        ["long", () => "A".repeat(r.int(1000, 7000))],
        ["latin1", () => latin1(r, r.int(1, 40))],
        ["case-swapped", () => (good.toUpperCase() === good ? good.toLowerCase() : good.toUpperCase())],
      ]);
      return send(forged[0], p, list, forged[1]());
    }
    if (kind === "missing") {
      if (r.chance(0.3)) return { ...send("other-header", p, list), headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Sig": good } };
      return send("none", p, list, undefined);
    }
    if (kind === "replayed") {
      const route = p.split("?")[0];
      const qs = p.slice(route.length);
      const other = r.pick(ROUTES.filter((x) => x !== route));
      const replay = r.pick([
        ["other-state", publicUrl(p), `${other}${qs}`],
        ["query-added", publicUrl(p), `${p}${qs === "" ? "?" : "&"}x=${r.int(0, 9)}`],
        ["query-changed", publicUrl(`${route}?a=1`), `${route}?a=${r.int(2, 9)}`],
        ["query-removed", publicUrl(`${route}?a=1`), route],
        ["other-host", `https://${r.pick(["evil.example.org", `${PUBLIC_HOST}.evil.test`, `www.${PUBLIC_HOST}`, `${PUBLIC_HOST}:8443`])}${p}`, p],
        ["http", `http://${PUBLIC_HOST}${p}`, p],
        ["mount-path", publicUrl(`/ivr${p}`), p],
      ]);
      return send(replay[0], replay[2], list, sign(token, replay[1], list));
    }
    // tampered
    const sent = list.map(([k, v]) => [k, v]);
    const i = r.int(0, sent.length - 1);
    const swap = (s) => (s.toUpperCase() === s ? s.toLowerCase() : s.toUpperCase());
    const tamper = r.pick([
      ["value", () => (sent[i][1] = `${sent[i][1]}${r.int(0, 9)}`)],
      ["added", () => sent.push([`Extra${r.int(0, 99)}`, value(r)])],
      ["removed", () => sent.splice(i, 1)],
      ["renamed", () => (sent[i][0] = `${sent[i][0]}_`)],
      ["case", () => (sent[i] = [swap(sent[i][0]), swap(sent[i][1])])],
      ["whitespace", () => (sent[i][1] = r.pick([` ${sent[i][1]}`, `${sent[i][1]} `, `${sent[i][1]}\t`]))],
      ["flipped", () => undefined],
      ["truncated", () => undefined],
      ["wrong-token", () => undefined],
    ]);
    tamper[1]();
    let sig = good;
    if (tamper[0] === "flipped") {
      const at = r.int(0, good.length - 1);
      sig = `${good.slice(0, at)}${good[at] === "A" ? "B" : "A"}${good.slice(at + 1)}`;
    } else if (tamper[0] === "truncated") sig = good.slice(0, r.int(1, good.length - 1));
    else if (tamper[0] === "wrong-token") sig = sign(`${r.pick(tokens)}-not-${r.int(0, 1e6)}`, publicUrl(p), list);
    // Keys and values are signed concatenated: a change that keeps the concatenation is no tampering.
    else if (sign(token, publicUrl(p), sent) === good) sent.push(["Tampered", "1"]);
    return send(tamper[0], p, sent, sig);
  }

  function oversize(r) {
    const p = routed(r);
    const big = r.chance(0.5);
    let body;
    if (big) {
      const size = r.int(102_401, 300_000);
      body = `CallSid=CA1&SpeechResult=${"a".repeat(size)}`;
    } else {
      const count = r.int(1001, 4000);
      body = Array.from({ length: count }, (_, i) => `p${i}=${i}`).join("&");
    }
    const list = [...new URLSearchParams(body)];
    const chunked = r.chance(0.3);
    return {
      kind: `${big ? "bytes" : "fields"}${chunked ? "/chunked" : ""}`,
      method: "POST",
      path: p,
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sign(r.pick(tokens), publicUrl(p), list) },
      body: Buffer.from(body),
      chunked,
      expect: "too-large",
    };
  }

  const BAD_ESCAPES = ["%", "%4", "%zz", "%G1", "%4G", "%E0%A4%A", "%E0%A4", "%80", "%FF", "%C0%AE", "%E0%80%AF", "%ED%A0%80", "%F4%90%80%80", "%C3"];
  const BAD_BYTES = [[0xff], [0xfe, 0xff], [0x80], [0xc3, 0x28], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xae]];

  function malformed(r) {
    const p = routed(r);
    const list = pairs(r, 0, 5);
    const encoded = encode(list);
    const raw = r.chance(0.4);
    const bad = raw ? Buffer.from(r.pick(BAD_BYTES)) : Buffer.from(r.pick(BAD_ESCAPES));
    // Into a name or a value of a new field, placed anywhere among the others; what follows is
    // never a hex digit (which would complete the escape).
    const fields = encoded === "" ? [] : encoded.split("&").map((f) => Buffer.from(f));
    const field = r.chance(0.5) ? Buffer.concat([Buffer.from(`${r.pick(["Digits", "SpeechResult", "x"])}=ab`), bad, Buffer.from(r.pick(["", "_z", "&"]))]) : Buffer.concat([Buffer.from("Na"), bad, Buffer.from("_me=1")]);
    fields.splice(r.int(0, fields.length), 0, field);
    const body = Buffer.concat(fields.flatMap((f, i) => (i === 0 ? [f] : [Buffer.from("&"), f])));
    return {
      kind: raw ? "raw-bytes" : "percent",
      method: "POST",
      path: p,
      headers: { "Content-Type": r.pick(["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8"]), "X-Twilio-Signature": sign(r.pick(tokens), publicUrl(p), list) },
      body,
      expect: "malformed",
    };
  }

  const UP = ["..", "%2e%2e", "%2E%2E", ".%2e", "%2e.", "%252e%252e", "%c0%ae%c0%ae", "%e0%80%ae%e0%80%ae", "..%00", "...", "....", "%2e%2e%2f.."];
  const SEP = ["/", "%2f", "%2F", "\\", "%5c", "%5C", "//", "%252f", "/./", "%c0%af"];
  const TARGET = ["secret.txt", "leak.txt", "outdir/secret.txt", "outdir", "public/leak.txt", "etc/passwd", "secret.txt%00.mp3", "leak.txt%00", "%2fetc%2fpasswd"];

  function traversal(r) {
    const shape = r.int(0, 5);
    let rest;
    if (shape === 0) rest = r.pick(["leak.txt", "./leak.txt", "outdir/secret.txt", "LEAK.TXT", "leak.txt/", "leak.txt?v=1", "sub/../leak.txt", "intro.mp3/../leak.txt", "%6ceak.txt", "leak%2etxt"]);
    // The control: a real file, asked for plainly, must be served.
    else if (shape === 1) return { kind: "control-file", method: "GET", path: r.pick(["/static/intro.mp3", "/static/intro.mp3?x=1", "/static/./intro.mp3"]), headers: {}, body: undefined, expect: "no-secret" };
    else {
      const ups = Array.from({ length: r.int(1, 5) }, () => r.pick(UP));
      rest = `${r.chance(0.3) ? `${r.pick(["intro.mp3", "sub", "outdir", "."])}${r.pick(SEP)}` : ""}${ups.map((u) => `${u}${r.pick(SEP)}`).join("")}${r.pick(TARGET)}`;
    }
    const prefix = r.pick(["/static/", "/static/", "/static//", "/static%2f", "/STATIC/", "/static/./"]);
    return { kind: shape === 0 ? "symlink" : "dot-dot", method: "GET", path: `${prefix}${rest}`, headers: {}, body: undefined, expect: "no-secret" };
  }

  function signed(r) {
    const route = r.pick(["/incoming/answer", "/incoming/answer", "/menu/answer", "/menu/answer", "/incoming", "/menu", "/goodbye"]);
    const attempt = r.pick([String(r.int(1, 5)), String(r.int(1, 5)), "0", "-1", "abc", "1e9", "", "9007199254740993"]);
    const p = route === "/menu/answer" && r.chance(0.9) ? `${route}?attempt=${attempt}` : route;
    const list = [["CallSid", `CA${r.int(0, 1e9)}`], ["AccountSid", "AC0123"]];
    if (r.chance(0.8)) list.push(["Digits", digits(r)]);
    if (r.chance(0.5)) list.push(["SpeechResult", r.chance(0.3) ? r.pick(["sales", "start over", "menu please", "SALES!", "one", "two"]) : text(r, 0, 40)], ["Confidence", String(r.next())]);
    for (const [k, v] of pairs(r, 0, 4)) if (!list.some(([x]) => x === k)) list.push([k, v]);
    // Now and then a repeated name (the library hands on an array, which Twilio's signing sorts).
    if (r.chance(0.1)) list.push(["Digits", digits(r)]);
    return { ...post(p === route ? "plain" : "attempt", p, list, sign(r.pick(tokens), publicUrl(p), list), "twiml"), kind: route };
  }

  return { signature, oversize, malformed, traversal, signed };
}

// ---------------------------------------------------------------------------------------------
// The parent: make the tree, start the app, fuzz, report

async function runParent() {
  const seconds = Number(option("seconds", "FUZZ_SECONDS", "20"));
  if (!Number.isFinite(seconds) || seconds <= 0) usage("--seconds must be a positive number");
  const seedText = option("seed", "FUZZ_SEED", String(crypto.randomInt(0, 2 ** 31)));
  const seed = Number(seedText);
  if (!Number.isInteger(seed)) usage("--seed must be an integer");
  const lib = path.resolve(option("lib", undefined, path.join(REPO, "dist", "index.cjs")));
  if (!fs.existsSync(lib)) usage(`no library at ${lib} (run npm run build, or pass --lib)`);
  const twilio = require("twilio");

  const r = seededRandom(seed);
  // Tokens come from the seed, so a failing input replays with the same signature.
  const tokens = [0, 1].map(() => crypto.createHash("sha256").update(`fuzz-token-${seed}-${r.next()}`).digest("hex").slice(0, 32));
  const secret = `fuzz-secret-${crypto.randomBytes(12).toString("hex")}`;
  const intro = `intro-audio-${seed}`;
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "ivr-fuzz-")));
  const publicDir = path.join(base, "public");
  fs.mkdirSync(path.join(publicDir, "sub"), { recursive: true });
  fs.mkdirSync(path.join(base, "outdir"));
  fs.writeFileSync(path.join(base, "secret.txt"), secret);
  fs.writeFileSync(path.join(base, "outdir", "secret.txt"), secret);
  fs.writeFileSync(path.join(publicDir, "intro.mp3"), intro);
  fs.symlinkSync("../secret.txt", path.join(publicDir, "leak.txt"));
  fs.symlinkSync("../outdir", path.join(publicDir, "outdir"));

  const child = fork(fileURLToPath(import.meta.url), ["--child", "--lib", lib], {
    env: { ...process.env, FUZZ_TOKENS: JSON.stringify(tokens), FUZZ_STATIC_DIR: publicDir },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let output = "";
  const keep = (chunk) => (output = (output + chunk).slice(-4000));
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const fatal = [];
  let exited;
  child.on("message", (m) => {
    if (m?.type === "fatal") fatal.push(`${m.kind}: ${m.message}`);
  });
  const exitedPromise = new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );
  const port = await new Promise((resolve, reject) => {
    child.on("message", (m) => m?.type === "listening" && resolve(m.port));
    exitedPromise.then(() => reject(new Error(`the app exited before listening (${JSON.stringify(exited)}):\n${fatal.join("\n")}${output}`)));
  }).catch((err) => {
    process.stderr.write(`fuzz: ${err.message}\n`);
    fs.rmSync(base, { recursive: true, force: true });
    process.exit(1);
  });

  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const gen = generators(tokens, twilio);
  const stats = Object.fromEntries(CATEGORIES.map((c) => [c, { inputs: 0, statuses: {}, kinds: {}, maxLatency: 0 }]));
  const failures = [];
  let failureCount = 0;
  let maxLatency = { ms: 0, where: "" };

  function check(input, res) {
    const { expect: want } = input;
    if (res.error !== undefined) return `no answer: ${res.error}`;
    if (res.latency > MAX_LATENCY_MS) return `answered in ${Math.round(res.latency)} ms (over ${MAX_LATENCY_MS} ms)`;
    const body = res.body.toString("latin1");
    if (body.includes(secret)) return `the secret outside staticFiles.path was served (status ${res.status})`;
    if (want === "rejected" && (res.status !== 403 || body !== REJECTED)) return `expected 403 "${REJECTED}"`;
    if (want === "too-large" && (res.status !== 413 || body !== TOO_LARGE)) return `expected 413 "${TOO_LARGE}"`;
    if (want === "malformed" && (res.status !== 400 || body !== MALFORMED)) return `expected 400 "${MALFORMED}"`;
    if (want === "twiml" && (res.status !== 200 || !/^text\/xml/.test(res.type) || !/<Response[\s>/]/.test(body))) return "expected 200 TwiML";
    if (want === "no-secret") {
      if (res.status >= 500) return "a 5xx for a static path";
      if (res.status === 200 && body !== intro) return "200 with content that is no file inside staticFiles.path";
      if (input.kind === "control-file" && (res.status !== 200 || body !== intro)) return "the control file inside staticFiles.path was not served";
    }
    return undefined;
  }

  function send(input) {
    return new Promise((resolve) => {
      const started = performance.now();
      let settled = false;
      const done = (res) => {
        if (settled) return;
        settled = true;
        resolve({ ...res, latency: performance.now() - started });
      };
      const headers = { ...input.headers };
      if (input.body !== undefined && !input.chunked) headers["Content-Length"] = String(input.body.length);
      const req = http.request({ host: "127.0.0.1", port, method: input.method, path: input.path, headers, agent }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => done({ status: res.statusCode, type: String(res.headers["content-type"] ?? ""), body: Buffer.concat(chunks) }));
        res.on("error", (err) => done({ error: err.message }));
      });
      req.setTimeout(NO_ANSWER_MS, () => {
        req.destroy(new Error(`no answer within ${NO_ANSWER_MS} ms`));
      });
      // The server may answer 413 and close before it read the whole body: only an error before any answer counts.
      req.on("error", (err) => done({ error: `${err.code ?? ""} ${err.message}`.trim() }));
      if (input.body === undefined) req.end();
      else if (input.chunked) {
        for (let i = 0; i < input.body.length; i += 16_384) req.write(input.body.subarray(i, i + 16_384));
        req.end();
      } else req.end(input.body);
    });
  }

  function describe(input) {
    const body = input.body === undefined ? "" : input.body.toString("latin1");
    const shown = body.length > 160 ? `${JSON.stringify(body.slice(0, 160))}... (${input.body.length} bytes)` : JSON.stringify(body);
    const headers = Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k, v.length > 80 ? `${v.slice(0, 80)}... (${v.length} chars)` : v]));
    return `${input.method} ${input.path} headers=${JSON.stringify(headers)} body=${shown}`;
  }

  const deadline = performance.now() + seconds * 1000;
  let round = 0;
  while (performance.now() < deadline && exited === undefined && fatal.length === 0) {
    round += 1;
    // The whole round is generated before anything is sent: inputs depend on the seed only.
    const inputs = [];
    for (const category of CATEGORIES) for (let i = 0; i < PER_ROUND[category]; i++) inputs.push({ category, ...gen[category](r) });
    for (let i = inputs.length - 1; i > 0; i--) {
      const j = r.int(0, i);
      [inputs[i], inputs[j]] = [inputs[j], inputs[i]];
    }
    let next = 0;
    const worker = async () => {
      while (next < inputs.length && exited === undefined) {
        const index = next++;
        const input = inputs[index];
        const res = await send(input);
        const s = stats[input.category];
        s.inputs += 1;
        s.kinds[input.kind] = (s.kinds[input.kind] ?? 0) + 1;
        const status = res.error === undefined ? String(res.status) : "no answer";
        s.statuses[status] = (s.statuses[status] ?? 0) + 1;
        s.maxLatency = Math.max(s.maxLatency, res.latency);
        if (res.latency > maxLatency.ms) maxLatency = { ms: res.latency, where: `${input.category} ${input.method} ${input.path.slice(0, 60)}` };
        const problem = check(input, res);
        if (problem !== undefined) {
          failureCount += 1;
          if (failures.length < 10) failures.push({ round, index, category: input.category, kind: input.kind, problem, got: res.error ?? `${res.status} ${JSON.stringify(res.body.toString("latin1").replaceAll(secret, "<the secret file>").slice(0, 120))}`, input: describe(input) });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }

  // Still there and still answering?
  let alive = exited === undefined && fatal.length === 0;
  if (alive) {
    const health = await send({ ...gen.signed(seededRandom(seed + 1)), category: "signed" });
    if (health.error !== undefined || health.status !== 200) {
      alive = false;
      fatal.push(`the app stopped answering a signed request after fuzzing: ${health.error ?? health.status}`);
    }
  }
  agent.destroy();
  if (exited === undefined) {
    child.disconnect();
    await Promise.race([exitedPromise, new Promise((resolve) => setTimeout(resolve, 2000))]);
    if (exited === undefined) child.kill("SIGKILL");
  } else {
    fatal.push(`the app process exited during fuzzing (code ${exited.code}, signal ${exited.signal})`);
  }
  fs.rmSync(base, { recursive: true, force: true });

  const total = CATEGORIES.reduce((n, c) => n + stats[c].inputs, 0);
  const lines = [`fuzz: seed ${seed}, ${seconds} s, ${round} rounds, ${total} inputs against ${path.relative(process.cwd(), lib) || lib}`];
  const width = Math.max(...CATEGORIES.map((c) => c.length));
  for (const c of CATEGORIES) {
    const s = stats[c];
    const statuses = Object.entries(s.statuses)
      .map(([code, n]) => `${code}x${n}`)
      .join(" ");
    const kinds = Object.entries(s.kinds)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
    lines.push(`  ${c.padEnd(width)}  ${String(s.inputs).padStart(6)} inputs  statuses ${statuses || "-"}  max ${Math.round(s.maxLatency)} ms`);
    lines.push(`  ${"".padEnd(width)}  (${kinds})`);
  }
  lines.push(`max latency: ${Math.round(maxLatency.ms)} ms (${maxLatency.where})`);
  for (const f of fatal) lines.push(`server: ${f}`);
  if (fatal.length > 0 && output !== "") lines.push(`server output (tail):\n${output}`);
  if (failureCount === 0 && fatal.length === 0 && alive) {
    lines.push("nothing broke");
    process.stdout.write(`${lines.join("\n")}\n`);
    process.exit(0);
  }
  lines.push(`BROKEN: ${failureCount} failing input(s)${fatal.length > 0 ? " and the server failed" : ""}; replay with: node scripts/fuzz.mjs --seed ${seed} --seconds ${seconds}`);
  for (const f of failures) lines.push(`  round ${f.round} #${f.index} [${f.category} ${f.kind}] ${f.problem}; got ${f.got}\n    ${f.input}`);
  process.stdout.write(`${lines.join("\n")}\n`);
  process.exit(1);
}

// Last, so every constant above is initialized.
if (process.argv.includes("--child")) runChild();
else await runParent();
