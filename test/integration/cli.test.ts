// The terminal phone (`twilio-interactive-flow call <url>`), run as a real process: scripted calls
// are piped into it against the Foo Corp example (and small trees written here) listening on a
// port, and what it prints, its exit code and what the servers received are checked.
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import type http from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import fc from "fast-check";
import * as library from "../../src";
import { parseCommandLine, UsageError } from "../../src/cli/args";
import { LineQueue, parseCallerLine } from "../../src/cli/input";
import { CallStepError, simulateCall } from "../../src/testing";

import { createApp } from "../helpers/example";
import { envWithout, runNode, type NodeRun } from "../helpers/run-node";
import { listenLoopback } from "../helpers/loopback";

const REPO = path.resolve(__dirname, "..", "..");
// Built from src/cli with tsup (as `npm run build` does, without touching dist/, which other
// checks may be using): node_modules/.cache resolves the runtime dependencies like dist/ does.
const BUILD_DIR = path.join(REPO, "node_modules", ".cache", `cli-test-${process.pid}`);
const CLI = path.join(BUILD_DIR, "index.js");
const TOKEN = "cli-secret-6f1d2c9a0b8e4d7f";

const CHOICES =
  "To hear our lunch specials, press one or say lunch specials. For our hours, press two or say hours. " +
  "To speak with someone, press three or say agent. For the weather, press four or say weather.";
const WELCOME = `Say: Welcome to Foo Corp! ${CHOICES}`;
const LUNCH = ["Say: Our lunch special is a hamburger.", "Say: If you want to now hear our hours, press one or say hours."];
const HOURS = ["Say: We are open Monday to Friday, from 11 in the morning to 3 in the afternoon.", "Say: To hear our lunch specials, press one."];
const GOODBYE = "Say: Thanks for calling Foo Corp. Goodbye!";
/** At the hours (a hand-written Gather for keys). */
const WAITING = "(waiting for keys...)";
/** At a menu, which listens for keys and speech. */
const WAITING_MENU = "(waiting for keys or speech...)";

interface Served {
  base: string;
  /** Every request: method, path, query string (`?...` or "") and the form parameters (body or query). */
  requests: { method: string; path: string; search: string; params: URLSearchParams }[];
  close: () => Promise<void>;
}

/** Reads a form-encoded body into `req.body`, as Express's body parser does. */
function readForm(req: http.IncomingMessage, then: (params: URLSearchParams) => void): void {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk: string) => (body += chunk));
  req.on("end", () => {
    const params = new URLSearchParams(body);
    (req as { body?: unknown }).body = Object.fromEntries(params);
    then(params);
  });
}

/**
 * Listens on 127.0.0.1:0; `/status` answers 204 (a status callback), anything else goes to
 * `handler`. Records every request with its parameters (the body the handler parsed, or the query).
 */
async function serve(makeHandler: (host: string) => http.RequestListener): Promise<Served> {
  const requests: Served["requests"] = [];
  const served = await listenLoopback((host) => {
    const handler = makeHandler(host);
    return (req: http.IncomingMessage, res: http.ServerResponse) => {
      const url = new URL(req.url ?? "/", "http://x");
      res.on("finish", () => {
        const body = (req as { body?: unknown }).body;
        const params = req.method === "GET" ? url.searchParams : new URLSearchParams(typeof body === "object" && body !== null ? (body as Record<string, string>) : {});
        requests.push({ method: req.method ?? "", path: url.pathname, search: url.search, params });
      });
      if (url.pathname === "/status") {
        readForm(req, () => {
          res.writeHead(204).end();
        });
        return;
      }
      handler(req, res);
    };
  });
  return { base: served.base, requests, close: served.close };
}

/** A tree written here: each path answers fixed TwiML (a function of the form parameters). */
function twimlServer(routes: Record<string, (params: URLSearchParams) => string>): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    readForm(req, (params) => {
      const route = routes[url.pathname];
      if (route === undefined) {
        res.writeHead(404, { "content-type": "text/plain" }).end("no such route");
        return;
      }
      res.writeHead(200, { "content-type": "text/xml" }).end(route(params));
    });
  };
}

const CLEAN_ENV = envWithout("TWILIO_AUTH_TOKEN");

/**
 * Runs the CLI. `input` is written at once and stdin closed, as `printf ... | cli` does; with
 * `keepStdinOpen`, stdin stays open (the CLI must still exit when the call ends).
 */
function runCli(args: string[], input = "", options: { env?: NodeJS.ProcessEnv; keepStdinOpen?: boolean } = {}): Promise<NodeRun> {
  return runNode(CLI, args, { env: { ...CLEAN_ENV, ...options.env }, input, ...(options.keepStdinOpen === true ? { keepStdinOpen: true } : {}), timeoutMs: 5000 });
}

/** Asserts that `expected` appear in `lines` in this order (other lines may come between). */
function expectInOrder(lines: readonly string[], expected: readonly string[]): void {
  let from = 0;
  for (const line of expected) {
    const at = lines.indexOf(line, from);
    if (at === -1) throw new Error(`expected line ${JSON.stringify(line)} after line ${from}, in:\n${lines.join("\n")}`);
    from = at + 1;
  }
}

let example: Served;
let validating: Served;

beforeAll(async () => {
  await promisify(execFile)(
    path.join(REPO, "node_modules", ".bin", "tsup"),
    ["src/cli/index.ts", "--no-config", "--format", "cjs", "--platform", "node", "--target", "node20", "--out-dir", BUILD_DIR, "--silent"],
    { cwd: REPO },
  );
  example = await serve((host) => createApp(library, { host }));
  validating = await serve((host) => createApp(library, { host, authToken: TOKEN }));
}, 30_000);

afterAll(async () => {
  await Promise.all([example.close(), validating.close()]);
  fs.rmSync(BUILD_DIR, { recursive: true, force: true });
});

describe("scripted calls to the Foo Corp example", () => {
  test("1, 1, silence: lunch specials, hours, and the timeout leads to the goodbye and the hangup", async () => {
    const run = await runCli(["call", `${example.base}/incoming-call`], "1\n1\n\n");
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.lines[0]).toBe(`Calling ${example.base}/incoming-call`);
    expect(run.lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^Play: ${example.base}/static/welcome\\.wav\\?v=[0-9a-f]{32}$`)),
      WELCOME,
      WAITING_MENU,
      "> 1",
      ...LUNCH,
      WAITING_MENU,
      "> 1",
      ...HOURS,
      WAITING,
      "> (silence)",
      GOODBYE,
      expect.stringMatching(new RegExp(`^Play: ${example.base}/static/goodbye\\.wav\\?v=[0-9a-f]{32}$`)),
      "Hangup",
      "(call ended)",
    ]);
    // What Twilio would have sent: the keys (to the menus' answer URLs, which carry the attempt),
    // then no Digits after the timeout (the <Redirect>).
    const posts = example.requests.slice(-4);
    expect(posts.map((r) => `${r.method} ${r.path}${r.search} ${r.params.get("Digits") ?? "-"}`)).toEqual([
      "POST /incoming-call -",
      "POST /incoming-call-transition-out?attempt=1 1",
      "POST /lunch-specials-transition-out?attempt=1 1",
      "POST /hours-transition-out -",
    ]);
  });

  test("by voice, as server.js prints it: say lunch specials, say hours, silence", async () => {
    const run = await runCli(["call", `${example.base}/incoming-call`], "say lunch specials\nsay hours\n\n");
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expectInOrder(run.lines, [WELCOME, WAITING_MENU, "> say lunch specials", ...LUNCH, WAITING_MENU, "> say hours", ...HOURS, WAITING, "> (silence)", GOODBYE, "Hangup", "(call ended)"]);
    const posts = example.requests.slice(-3);
    expect(posts.map((r) => `${r.path}${r.search} ${r.params.get("SpeechResult") ?? "-"}`)).toEqual([
      "/incoming-call-transition-out?attempt=1 lunch specials",
      "/lunch-specials-transition-out?attempt=1 hours",
      "/hours-transition-out -",
    ]);
  });

  test("2, 9: hours, then any other key says goodbye; no HTTP lines without --verbose", async () => {
    const run = await runCli(["call", `${example.base}/incoming-call`], "2\n9\n");
    expect(run.code).toBe(0);
    expectInOrder(run.lines, [WELCOME, "> 2", ...HOURS, "> 9", GOODBYE, "Hangup", "(call ended)"]);
    expect(run.lines).not.toContain(LUNCH[0]);
    expect(run.stdout).not.toMatch(/-> (POST|GET) /);
  });

  test("3 then end of input: on hold with the hold music, then the caller hangs up", async () => {
    const run = await runCli(["call", example.base], "3\n");
    expect(run.code).toBe(0);
    const hold = run.lines.indexOf("> 3");
    expect(run.lines.slice(hold)).toEqual([
      "> 3",
      "Say: Please hold while we find someone to help you.",
      '(on hold in queue "foo-corp")',
      expect.stringMatching(new RegExp(`^Play: ${example.base}/static/hold\\.wav\\?v=[0-9a-f]{32} \\(x1000\\)$`)),
      '(on hold: an empty line waits for more hold music, "hangup" leaves)',
      "You hung up.",
      "(call ended)",
    ]);
    expect(example.requests.at(-1)).toMatchObject({ method: "GET", path: "/static/hold-music" });
    // A URL without a path calls /incoming-call.
    expect(run.stdout).toContain(`Calling ${example.base}/incoming-call`);
  });

  test("a wrong key and words that pick nothing at the welcome menu: sorry, and the choices again, each attempt counted", async () => {
    const run = await runCli(["call", `${example.base}/incoming-call`], "7\nsay hello\nhangup\nnot read\n");
    expect(run.code).toBe(0);
    expectInOrder(run.lines, [
      WELCOME,
      "> 7",
      "Say: Sorry, that is not one of the choices.",
      `Say: ${CHOICES}`,
      "> say hello",
      "Say: Sorry, that is not one of the choices.",
      `Say: ${CHOICES}`,
      "You hung up.",
      "(call ended)",
    ]);
    expect(run.lines.filter((line) => line === WELCOME)).toHaveLength(1);
    expect(example.requests.slice(-2).map((r) => `${r.path}${r.search}`)).toEqual(["/incoming-call-transition-out?attempt=1", "/incoming-call-transition-out?attempt=2"]);
    // `hangup` ended the call: the line after it was never used.
    expect(run.stderr).toContain("1 more line(s) of input were not used");
  });

  test("say at a keys-only Gather (the hours) counts as no input: the goodbye", async () => {
    const run = await runCli(["call", `${example.base}/incoming-call`], "2\nsay lunch specials\n");
    expect(run.code).toBe(0);
    expectInOrder(run.lines, [...HOURS, WAITING, "> say lunch specials", "(this <Gather> listens for keys only: your words count as no input)", GOODBYE, "Hangup", "(call ended)"]);
    expect(run.lines).not.toContain(LUNCH[0]);
  });

  test("lines left when the call ends are not used, and the CLI exits even while stdin stays open", async () => {
    const requestsBefore = example.requests.length;
    const run = await runCli(["call", `${example.base}/incoming-call`], "2\n9\n1\n1\n", { keepStdinOpen: true });
    expect(run.code).toBe(0);
    expect(run.lines.at(-1)).toBe("(call ended)");
    expect(run.lines).not.toContain("> 1");
    expect(run.stderr).toContain("2 more line(s) of input were not used");
    expect(example.requests.length - requestsBefore).toBe(3);
  });

  test("lines typed one at a time, each after the call waits, are handled like a piped script", async () => {
    const child = spawn(process.execPath, [CLI, "call", `${example.base}/incoming-call`], { env: CLEAN_ENV });
    const script = ["1", "1", "9"];
    let stdout = "";
    let sent = 0;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const waits = stdout.match(/\(waiting for [^)]*\)/g)?.length ?? 0;
      while (sent < waits && sent < script.length) child.stdin.write(`${script[sent++]}\n`);
    });
    const [code] = (await once(child, "close")) as [number];
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expectInOrder(lines, [WELCOME, "> 1", ...LUNCH, "> 1", ...HOURS, "> 9", GOODBYE, "Hangup", "(call ended)"]);
  });

  test("--verbose adds the HTTP requests with their status, and the status callback is sent when the call ends", async () => {
    const run = await runCli(["call", `${example.base}/incoming-call`, "--verbose", "--status-callback", "/status", "--from", "+15551230000", "--to", "+15559870000"], "9\n2\n\n");
    expect(run.code).toBe(0);
    expectInOrder(run.lines, [
      `  -> POST ${example.base}/incoming-call (200)`,
      `  Gather dtmf speech (timeout 5s) -> POST ${example.base}/incoming-call-transition-out?attempt=1`,
      WELCOME,
      "> 9",
      `  -> POST ${example.base}/incoming-call-transition-out?attempt=1 (200)`,
      `  Gather dtmf speech (timeout 5s) -> POST ${example.base}/incoming-call-transition-out?attempt=2`,
      "Say: Sorry, that is not one of the choices.",
      `Say: ${CHOICES}`,
      "> 2",
      `  -> POST ${example.base}/incoming-call-transition-out?attempt=2 (200)`,
      ...HOURS,
      "> (silence)",
      `  Redirect -> POST ${example.base}/hours-transition-out`,
      `  -> POST ${example.base}/hours-transition-out (200)`,
      GOODBYE,
      "Hangup",
      `  -> POST ${example.base}/status (204)`,
      "(call ended)",
    ]);
    const status = example.requests.filter((r) => r.path === "/status").at(-1);
    expect(status?.params.get("CallStatus")).toBe("completed");
    expect(status?.params.get("From")).toBe("+15551230000");
    const first = example.requests.find((r) => r.path === "/incoming-call" && r.params.get("From") === "+15551230000");
    expect(first?.params.get("To")).toBe("+15559870000");
  });

  test("--uri overrides the URL's path", async () => {
    const run = await runCli(["call", `${example.base}/nowhere`, "--uri", "/incoming-call"], "2\n9\n");
    expect(run.code).toBe(0);
    expectInOrder(run.lines, [`Calling ${example.base}/incoming-call`, WELCOME, GOODBYE, "(call ended)"]);
  });
});

describe("signed calls (the example with TWILIO_AUTH_TOKEN set)", () => {
  const noToken = (run: NodeRun): void => {
    expect(run.stdout).not.toContain(TOKEN);
    expect(run.stderr).not.toContain(TOKEN);
  };

  test("--auth-token signs every request: the validating app answers, and the token is never printed", async () => {
    // A wrong key at the lunch specials, twice: the second answer goes to ?attempt=2, signed like the rest.
    const run = await runCli(["call", `${validating.base}/incoming-call`, "--auth-token", TOKEN, "--verbose"], "1\n7\n7\n");
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expectInOrder(run.lines, [
      WELCOME,
      ...LUNCH,
      "Say: Sorry, that is not one of the choices.",
      `  -> POST ${validating.base}/lunch-specials-transition-out?attempt=2 (200)`,
      GOODBYE,
      "Hangup",
      "(call ended)",
    ]);
    expect(run.stdout).not.toMatch(/\(403\)/);
    noToken(run);
  });

  test("TWILIO_AUTH_TOKEN from the environment signs too", async () => {
    const run = await runCli(["call", `${validating.base}/incoming-call`], "2\n9\n", { env: { TWILIO_AUTH_TOKEN: TOKEN } });
    expect(run.code).toBe(0);
    expectInOrder(run.lines, [WELCOME, ...HOURS, GOODBYE, "(call ended)"]);
    noToken(run);
  });

  test("without a token (or with an explicit empty one) the app answers 403: exit 1, naming the status and a hint", async () => {
    for (const args of [[], ["--auth-token", ""]]) {
      const run = await runCli(["call", `${validating.base}/incoming-call`, ...args], "1\n", { env: args.length > 0 ? { TWILIO_AUTH_TOKEN: TOKEN } : {} });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/Twilio error 11200: POST http:\/\/127\.0\.0\.1:\d+\/incoming-call answered HTTP 403/);
      expect(run.stderr).toContain("pass --auth-token or set TWILIO_AUTH_TOKEN");
      expect(run.lines).not.toContain(WELCOME);
      noToken(run);
    }
  });

  test("a wrong token fails the same way and is not printed either", async () => {
    const wrong = "wrong-token-0a1b2c3d4e5f";
    const run = await runCli(["call", `${validating.base}/incoming-call`, "--verbose"], "", { env: { TWILIO_AUTH_TOKEN: wrong } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("answered HTTP 403");
    expect(run.stderr).toContain("the server rejected the signature");
    expect(`${run.stdout}${run.stderr}`).not.toContain(wrong);
  });
});

describe("trees written here: speech, invalid TwiML, endless audio", () => {
  let tree: Served;
  beforeAll(async () => {
    tree = await serve(() =>
      twimlServer({
        "/speech": () => '<Response><Gather input="speech" action="/heard"><Say>Which department?</Say></Gather><Say>Nothing heard.</Say></Response>',
        "/heard": (params) => `<Response><Say>Connecting you to ${params.get("SpeechResult") ?? "?"}.</Say><Hangup/></Response>`,
        "/schema": () => "<Response><Gather><Dial>+15550001111</Dial></Gather></Response>",
        "/parse": () => "<Response><Say>Hello</Response>",
        "/forever": () => '<Response><Pause length="2"/><Play loop="0">https://cdn.example.com/music.mp3</Play></Response>',
        "/broken-later": () => '<Response><Gather action="/parse" numDigits="1"><Say>Press a key.</Say></Gather></Response>',
      }),
    );
  });
  afterAll(() => tree.close());

  test("say <words> at a speech Gather sends SpeechResult", async () => {
    const run = await runCli(["call", `${tree.base}/speech`], "say  the sales team \n");
    expect(run.code).toBe(0);
    expect(run.lines.slice(1)).toEqual([
      "Say: Which department?",
      '(waiting for speech: "say <words>"...)',
      "> say the sales team",
      "Say: Connecting you to the sales team.",
      "Hangup",
      "(call ended)",
    ]);
    expect(tree.requests.find((r) => r.path === "/heard")?.params.get("SpeechResult")).toBe("the sales team");
  });

  test("silence at a speech Gather continues after it, then the TwiML runs out", async () => {
    const run = await runCli(["call", `${tree.base}/speech`], "\n");
    expect(run.code).toBe(0);
    expect(run.lines.slice(-4)).toEqual(["> (silence)", "Say: Nothing heard.", "(no more TwiML: Twilio hangs up)", "(call ended)"]);
  });

  test("a Gather holding a <Dial> fails with Twilio error 12200 (exit 1)", async () => {
    const run = await runCli(["call", `${tree.base}/schema`], "1\n");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^twilio-interactive-flow: the call failed: Twilio error 12200/);
    expect(run.stderr).toContain("Dial");
    expect(run.lines).not.toContain("(call ended)");
  });

  test("malformed XML fails with Twilio error 12100, even after earlier steps succeeded", async () => {
    const first = await runCli(["call", `${tree.base}/parse`]);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain("Twilio error 12100");

    const later = await runCli(["call", `${tree.base}/broken-later`], "5\n6\n");
    expect(later.code).toBe(1);
    expectInOrder(later.lines, ["Say: Press a key.", WAITING, "> 5"]);
    expect(later.stderr).toContain("Twilio error 12100");
    expect(later.stderr).toContain("/parse");
  });

  test("an endless <Play> waits until the caller hangs up; pauses are shown, and last as long as on a phone", async () => {
    const started = Date.now();
    const run = await runCli(["call", `${tree.base}/forever`], "\nhangup\n");
    // The terminal phone waits out the <Pause length="2"/> in real time (a timer never fires early).
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(run.code).toBe(0);
    expect(run.lines.slice(1)).toEqual([
      "(pause 2s)",
      "Play: https://cdn.example.com/music.mp3 (repeats forever)",
      '(this plays forever: "hangup" ends the call)',
      "> (silence)",
      '(this plays forever: "hangup" ends the call)',
      "You hung up.",
      "(call ended)",
    ]);
  });

  test("a line that is not keys, say, silence or hangup is reported and the call goes on", async () => {
    const run = await runCli(["call", `${tree.base}/speech`], "press 1\nsay\nsay billing\n");
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("not understood");
    expect(run.stderr).toContain("say what?");
    expect(run.lines).toContain("Say: Connecting you to billing.");
    expect(run.lines.filter((line) => line.startsWith("(waiting for speech"))).toHaveLength(1);
  });
});

describe("usage and failures", () => {
  test("no URL: exit 2 with the usage on stderr", async () => {
    const run = await runCli(["call"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^twilio-interactive-flow: missing <url>/);
    expect(run.stderr).toContain("Usage: twilio-interactive-flow call <url> [options]");
  });

  test("no command, an unknown command or option, extra arguments, a bad URL: exit 2, never echoing a token", async () => {
    for (const args of [[], [TOKEN], ["call", example.base, TOKEN], ["call", example.base, `--authtoken=${TOKEN}`], ["call", "ftp://example.com"], ["call", "http://user:pw@localhost:3000"]]) {
      const run = await runCli(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toContain("Usage:");
      expect(run.stderr).not.toContain(TOKEN);
      expect(run.stderr).not.toContain("pw@");
    }
  });

  test("--help and --version exit 0 on stdout", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--auth-token <token>");
    const callHelp = await runCli(["call", "-h"]);
    expect(callHelp.stdout).toBe(help.stdout);
    const version = await runCli(["--version"]);
    expect(version.code).toBe(0);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string };
    expect(version.stdout).toBe(`${pkg.version}\n`);
  });

  test("a server that cannot be reached: exit 1, saying so with Twilio's error code", async () => {
    const closed = await serve(() => twimlServer({}));
    await closed.close();
    const run = await runCli(["call", `${closed.base}/incoming-call`], "1\n");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot reach the server at ${closed.base}`);
    expect(run.stderr).toContain("ECONNREFUSED");
    expect(run.stderr).toMatch(/Twilio error 112\d\d/);
    expect(run.stderr).toContain("Is it running");
  });

  test("simulateCall (src/testing) names the failed request once when the server cannot be reached", async () => {
    const closed = await serve(() => twimlServer({}));
    await closed.close();
    const error = await simulateCall(closed.base, { uri: "/incoming-call" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallStepError);
    const firstLine = (error as Error).message.split("\n")[0]!;
    expect(firstLine).toContain("ECONNREFUSED");
    expect(firstLine.split(`POST ${closed.base}/incoming-call`)).toHaveLength(2);
  });

  test("a 404 for the first webhook fails with error 11200 and the status", async () => {
    const run = await runCli(["call", `${example.base}/no-such-state`], "");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Twilio error 11200");
    expect(run.stderr).toContain("answered HTTP 404");
  });
});

describe("parsing (in-process)", () => {
  test("caller lines: keys, say, silence, hangup", () => {
    expect(parseCallerLine("1")).toEqual({ kind: "press", keys: "1" });
    expect(parseCallerLine(" 12 34# \r")).toEqual({ kind: "press", keys: "1234#" });
    expect(parseCallerLine("*")).toEqual({ kind: "press", keys: "*" });
    expect(parseCallerLine("")).toEqual({ kind: "silence" });
    expect(parseCallerLine("  \t")).toEqual({ kind: "silence" });
    expect(parseCallerLine("say  hello world ")).toEqual({ kind: "say", text: "hello world" });
    expect(parseCallerLine("Say Sales")).toEqual({ kind: "say", text: "Sales" });
    expect(parseCallerLine("hangup")).toEqual({ kind: "hangup" });
    expect(parseCallerLine("Hang up")).toEqual({ kind: "hangup" });
    expect(parseCallerLine("say").kind).toBe("invalid");
    expect(parseCallerLine("sayhello").kind).toBe("invalid");
    expect(parseCallerLine("1a").kind).toBe("invalid");
  });

  test("any string of keys is pressed as written; any words after say are said", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9*#]{1,20}$/), fc.constantFrom("", " ", "\t", "\r"), (keys, pad) => {
        expect(parseCallerLine(`${pad}${keys}${pad}`)).toEqual({ kind: "press", keys });
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^\S(.*\S)?$/), (words) => {
        expect(parseCallerLine(`say ${words}`)).toEqual({ kind: "say", text: words });
      }),
      { numRuns: 100 },
    );
  });

  test("LineQueue keeps early lines in order and ends after the queued ones", async () => {
    const queue = new LineQueue();
    queue.push("a");
    queue.push("b");
    expect(queue.pending).toBe(2);
    await expect(queue.next()).resolves.toBe("a");
    const third = (async () => [await queue.next(), await queue.next()])();
    queue.push("c");
    await expect(third).resolves.toEqual(["b", "c"]);
    const fourth = queue.next();
    queue.push("d");
    queue.push("e");
    queue.end();
    queue.push("after the end");
    await expect(fourth).resolves.toBe("d");
    await expect(queue.next()).resolves.toBe("e");
    await expect(queue.next()).resolves.toBeUndefined();
    expect(queue.pending).toBe(0);
  });

  test("the first webhook: the URL's path, --uri, or /incoming-call", () => {
    const uri = (args: string[]): string => {
      const command = parseCommandLine(["call", ...args], {});
      if (command.kind !== "call") throw new Error(command.kind);
      return `${command.call.origin} ${command.call.uri}`;
    };
    expect(uri(["http://localhost:3000/incoming-call"])).toBe("http://localhost:3000 /incoming-call");
    expect(uri(["http://localhost:3000"])).toBe("http://localhost:3000 /incoming-call");
    expect(uri(["http://localhost:3000/"])).toBe("http://localhost:3000 /incoming-call");
    expect(uri(["localhost:3000/menu?lang=fr"])).toBe("http://localhost:3000 /menu?lang=fr");
    expect(uri(["https://ivr.example.com/a", "--uri", "/b"])).toBe("https://ivr.example.com /b");
    expect(uri(["http://localhost:3000", "--uri", "start"])).toBe("http://localhost:3000 /start");
  });

  test("the auth token: --auth-token, else TWILIO_AUTH_TOKEN; an empty --auth-token turns signing off", () => {
    const token = (args: string[], env: Record<string, string>): string | undefined => {
      const command = parseCommandLine(["call", "http://localhost:3000", ...args], env);
      return command.kind === "call" ? command.call.authToken : "not a call";
    };
    expect(token([], {})).toBeUndefined();
    expect(token([], { TWILIO_AUTH_TOKEN: "env" })).toBe("env");
    expect(token(["--auth-token", "flag"], { TWILIO_AUTH_TOKEN: "env" })).toBe("flag");
    expect(token(["--auth-token="], { TWILIO_AUTH_TOKEN: "env" })).toBeUndefined();
    expect(token([], { TWILIO_AUTH_TOKEN: "" })).toBeUndefined();
  });

  test("usage errors never contain the token, wherever it is misplaced", () => {
    const options = ["--from", "--to", "--uri", "--status-callback", "--verbose", "--bogus", "-x", "call", "http://localhost:3000", "--auth-token"];
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{16,32}$/), fc.array(fc.constantFrom(...options), { maxLength: 6 }), fc.nat(), (secret, words, at) => {
        const argv = [...words];
        argv.splice(at % (argv.length + 1), 0, secret);
        try {
          parseCommandLine(argv, {});
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          expect((error as Error).message).not.toContain(secret);
        }
      }),
      { numRuns: 100 },
    );
  });
});
