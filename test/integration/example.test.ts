import crypto from "node:crypto";
import type * as Esbuild from "esbuild";
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import request from "supertest";
import * as library from "../../src";
import { isValidState, MemoryStore } from "../../src";
import { sign } from "../helpers/app";
import { freePort } from "../helpers/redis-server";

import { AUDIO_DIR, createApp, createFakeWeatherService, createStates, exampleStates as states } from "../helpers/example";
import { CHOICES, HOLD, LUNCH, LUNCH_AGAIN, LUNCH_INVALID, LUNCH_TIMEOUT, WELCOME, WELCOME_INVALID, WELCOME_TIMEOUT } from "../helpers/example-texts";

const HOST = "ivr.example.com";
const REPO = path.join(__dirname, "..", "..");
const EXAMPLES_DIR = path.join(REPO, "examples");
const md5 = (file: string): string => crypto.createHash("md5").update(fs.readFileSync(path.join(AUDIO_DIR, file))).digest("hex");

// A quick pretend weather service: the lookups these tests start finish (and stop their timers) at once.
const app = createApp(library, { host: HOST, scheme: "https", weatherService: createFakeWeatherService({ delayMs: 5 }) });


/** What a caller hears, reduced to the parts the tests check. */
interface Twiml {
  text: string;
  says: string[];
  plays: string[];
  gatherAction: string | undefined;
  /** The <Gather>'s attributes, as written. */
  gather: Record<string, string>;
  redirect: string | undefined;
  hangsUp: boolean;
}

const decode = (text: string): string =>
  text.replace(/&(apos|quot|lt|gt|amp);/g, (_, name: string) => ({ apos: "'", quot: '"', lt: "<", gt: ">", amp: "&" })[name as "apos"]);

function parse(text: string): Twiml {
  const gatherTag = /<Gather ([^>]*)>/.exec(text)?.[1] ?? "";
  const gather = Object.fromEntries([...gatherTag.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, decode(m[2]!)]));
  return {
    text,
    says: [...text.matchAll(/<Say>([^<]*)<\/Say>/g)].map((m) => decode(m[1]!)),
    plays: [...text.matchAll(/<Play>([^<]*)<\/Play>/g)].map((m) => decode(m[1]!)),
    gatherAction: gather.action,
    gather,
    redirect: /<Redirect method="POST">([^<]*)<\/Redirect>/.exec(text)?.[1],
    hangsUp: text.includes("<Hangup/>"),
  };
}

async function post(url: string, body?: Record<string, string>): Promise<Twiml> {
  const req = request(app).post(url).type("form");
  const res = await (body === undefined ? req : req.send(body));
  expect(res.status).toBe(200);
  expect(res.headers["content-type"]).toBe("text/xml; charset=utf-8");
  return parse(res.text);
}

/** The caller presses `digits`: Twilio posts them to the `<Gather action>` of what it was playing. */
async function press(current: Twiml, digits: string): Promise<Twiml> {
  expect(current.gatherAction).toBeDefined();
  return post(current.gatherAction!, { Digits: digits, CallSid: "CA123" });
}

/** The caller speaks: Twilio posts what its recognizer heard to the `<Gather action>`. */
async function speak(current: Twiml, words: string): Promise<Twiml> {
  expect(current.gather.input).toBe("dtmf speech");
  return post(current.gatherAction!, { SpeechResult: words, Confidence: "0.9", CallSid: "CA123" });
}

/** The caller presses nothing: the `<Gather>` times out and Twilio follows the `<Redirect>`, with no digits. */
async function waitSilently(current: Twiml): Promise<Twiml> {
  expect(current.redirect).toBeDefined();
  expect(current.redirect).toBe(current.gatherAction);
  return post(current.redirect!, { CallSid: "CA123" });
}

const call = (): Promise<Twiml> => post("/incoming-call", { CallSid: "CA123", From: "+15550001111" });

const isLunch = (t: Twiml): boolean => t.says.includes(LUNCH[0]!);
const isHours = (t: Twiml): boolean => t.says.some((s) => s.startsWith("We are open Monday to Friday"));
const isHold = (t: Twiml): boolean => t.says[0] === HOLD && t.text.includes("<Enqueue");
const isWeather = (t: Twiml): boolean => t.says[0] === "We're looking up the weather. Please hold on.";
const isGoodbye = (t: Twiml): boolean => t.says.includes("Thanks for calling Foo Corp. Goodbye!") && t.hangsUp;

/** The welcome menu at `attempt`: the chime and the welcome first, then an apology and the choices. */
function expectWelcome(t: Twiml, attempt: number, apology?: string): void {
  expect(t.gatherAction).toBe(`/incoming-call-transition-out?attempt=${attempt}`);
  expect(t.redirect).toBe(t.gatherAction);
  if (attempt === 1) {
    expect(t.plays).toEqual([`/static/welcome.wav?v=${md5("welcome.wav")}`]);
    expect(t.says).toEqual([WELCOME]);
  } else {
    expect(t.plays).toEqual([]);
    expect(t.says).toEqual([apology, CHOICES]);
  }
}

function expectLunch(t: Twiml, attempt: number, apology?: string): void {
  expect(t.gatherAction).toBe(`/lunch-specials-transition-out?attempt=${attempt}`);
  expect(t.redirect).toBe(t.gatherAction);
  expect(t.says).toEqual(attempt === 1 ? LUNCH : [apology, LUNCH_AGAIN]);
}

describe("Foo Corp example: the phone tree", () => {
  test("every example state is valid, and the app lists them all", () => {
    expect(states.map((s) => s.name)).toEqual([
      "CALL_RECEIVED",
      "LUNCH_SPECIALS",
      "HOURS",
      "HOLD",
      "WEATHER_LOOKUP",
      "WEATHER_POLL",
      "WEATHER_WAIT",
      "WEATHER_REPORT",
      "WEATHER_UNAVAILABLE",
      "GOODBYE",
    ]);
    expect(states.every((s) => isValidState(s))).toBe(true);
  });

  test("the welcome and the lunch specials are menus: their descriptions list the choices, the tries and where failure goes", async () => {
    const { entryState, lunchSpecialsState, hoursState, holdState, goodbyeState } = createStates({ menu: library.menu });
    expect(entryState.menu.choices.map((c) => c.keys)).toEqual([["1"], ["2"], ["3"], ["4"]]);
    expect(entryState.menu.choices.map((c) => c.phrases[0])).toEqual(["lunch specials", "hours", "speak to someone", "weather"]);
    expect(entryState.menu).toMatchObject({ input: ["dtmf", "speech"], numDigits: 1, tries: 3 });
    expect(lunchSpecialsState.menu).toMatchObject({ input: ["dtmf", "speech"], numDigits: 1, tries: 2 });
    expect(lunchSpecialsState.menu.choices).toHaveLength(1);
    // The choices name later states through functions; calling them gives the states.
    const follow = async (to: unknown): Promise<unknown> => (typeof to === "function" ? (to as (input: object) => unknown)({}) : to);
    expect(await follow(entryState.menu.choices[1]!.to)).toBe(hoursState);
    expect(await follow(entryState.menu.choices[2]!.to)).toBe(holdState);
    expect(await follow(entryState.menu.onFailure)).toBe(holdState);
    expect(await follow(lunchSpecialsState.menu.choices[0]!.to)).toBe(hoursState);
    expect(await follow(lunchSpecialsState.menu.onFailure)).toBe(goodbyeState);
    expect(Object.isFrozen(entryState.menu)).toBe(true);
  });

  test("createStates without the library's menu says what it needs", () => {
    expect(() => createStates({} as Parameters<typeof createStates>[0])).toThrow(/needs the library's menu/);
  });

  test("the incoming call plays the fingerprinted welcome chime, then the menu, inside a <Gather> for keys and speech", async () => {
    const welcome = await call();
    expectWelcome(welcome, 1);
    expect(welcome.gather).toMatchObject({ method: "POST", input: "dtmf speech", numDigits: "1" });
    expect(welcome.gather.hints).toContain("lunch specials");
    expect(welcome.gather.hints).toContain("speak to someone");
    expect(welcome.text).toMatch(/<Gather [^>]*><Play>[^<]*<\/Play><Say>Welcome/);
  });

  test("1 -> lunch specials -> 1 -> hours -> 1 -> lunch specials -> 1 -> hours", async () => {
    const lunch = await press(await call(), "1");
    expectLunch(lunch, 1);
    const hours = await press(lunch, "1");
    expect(isHours(hours)).toBe(true);
    expect(hours.gatherAction).toBe("/hours-transition-out");
    const lunchAgain = await press(hours, "1");
    expectLunch(lunchAgain, 1);
    expect(isHours(await press(lunchAgain, "1"))).toBe(true);
  });

  test("2 -> hours -> 1 -> lunch specials", async () => {
    const hours = await press(await call(), "2");
    expect(isHours(hours)).toBe(true);
    expect(isLunch(await press(hours, "1"))).toBe(true);
  });

  test("silence at the welcome: 'didn't hear', the choices again (attempts 2 and 3), then a person (on hold)", async () => {
    const second = await waitSilently(await call());
    expectWelcome(second, 2, WELCOME_TIMEOUT);
    const third = await waitSilently(second);
    expectWelcome(third, 3, WELCOME_TIMEOUT);
    expect(isHold(await waitSilently(third))).toBe(true);
  });

  test.each(["0", "5", "9", "*", "#"])("an invalid key (%s) at the welcome: 'not one of the choices', and the choices again", async (digit) => {
    expectWelcome(await press(await call(), digit), 2, WELCOME_INVALID);
  });

  test("wrong keys and silence count together: 7, silence, 8 puts the caller through to a person", async () => {
    const second = await press(await call(), "7");
    expectWelcome(second, 2, WELCOME_INVALID);
    const third = await waitSilently(second);
    expectWelcome(third, 3, WELCOME_TIMEOUT);
    expect(isHold(await press(third, "8"))).toBe(true);
  });

  test("a right key after wrong ones still works, on every attempt", async () => {
    expect(isHours(await press(await press(await call(), "9"), "2"))).toBe(true);
    expect(isLunch(await press(await press(await press(await call(), "9"), "0"), "1"))).toBe(true);
  });

  test("a wrong key at the lunch specials: 'not one of the choices', the choice again; a second wrong key says goodbye", async () => {
    const again = await press(await press(await call(), "1"), "2");
    expectLunch(again, 2, LUNCH_INVALID);
    const goodbye = await press(again, "9");
    expect(isGoodbye(goodbye)).toBe(true);
    expect(goodbye.plays).toEqual([`/static/goodbye.wav?v=${md5("goodbye.wav")}`]);
    expect(goodbye.gatherAction).toBeUndefined();
    expect(goodbye.redirect).toBeUndefined();
  });

  test("a wrong key at the lunch specials, then 1: the hours", async () => {
    const again = await press(await press(await call(), "1"), "#");
    expectLunch(again, 2, LUNCH_INVALID);
    expect(isHours(await press(again, "1"))).toBe(true);
  });

  test("silence at the lunch specials: 'didn't catch that', the choice again; silence again says goodbye", async () => {
    const again = await waitSilently(await press(await call(), "1"));
    expectLunch(again, 2, LUNCH_TIMEOUT);
    expect(isGoodbye(await waitSilently(again))).toBe(true);
  });

  test.each(["2", "#", "9"])("any other key at the hours (%s) says goodbye and hangs up", async (key) => {
    const goodbye = await press(await press(await call(), "2"), key);
    expect(isGoodbye(goodbye)).toBe(true);
    expect(goodbye.gatherAction).toBeUndefined();
  });

  test("pressing nothing at the hours says goodbye", async () => {
    expect(isGoodbye(await waitSilently(await press(await call(), "2")))).toBe(true);
  });

  test.each([
    ["Lunch specials, please.", isLunch],
    ["uh what's for LUNCH today", isLunch],
    ["What are your hours?", isHours],
    ["Opening times", isHours],
    ["I'd like to speak to someone.", isHold],
    ["agent", isHold],
    ["Operator!", isHold],
    ["What's the weather like?", isWeather],
    // A key said aloud picks its choice too.
    ["three", isHold],
    ["Press two.", isHours],
    ["4", isWeather],
  ])("said at the welcome: %j", async (words, is) => {
    expect(is(await speak(await call(), words))).toBe(true);
  });

  test.each([
    ["banana", "words that are no choice"],
    ["lunch hours", "a tie: lunch and hours are one word each"],
    ["one or two", "two keys said aloud"],
  ])("said at the welcome: %j (%s) is not a choice: 'not one of the choices', and the choices again", async (words) => {
    expectWelcome(await speak(await call(), words), 2, WELCOME_INVALID);
  });

  test("said at the lunch specials: 'the hours, please' -> hours; 'dessert' -> sorry, and the choice again", async () => {
    const lunch = await press(await call(), "1");
    expect(isHours(await speak(lunch, "The hours, please"))).toBe(true);
    expectLunch(await speak(lunch, "dessert"), 2, LUNCH_INVALID);
  });

  test("the answer URL carries the attempt: none counts as the first, the last one's failure puts the caller on hold", async () => {
    // An answer posted without ?attempt (TwiML written before menus, or a hand-typed request) is an answer to attempt 1.
    expectWelcome(await post("/incoming-call-transition-out", { CallSid: "CA123" }), 2, WELCOME_TIMEOUT);
    expect(isHold(await post("/incoming-call-transition-out?attempt=3", { CallSid: "CA123" }))).toBe(true);
    // Beyond the tries counts as the last attempt.
    expect(isHold(await post("/incoming-call-transition-out?attempt=99", { Digits: "9", CallSid: "CA123" }))).toBe(true);
    expect(isGoodbye(await post("/lunch-specials-transition-out?attempt=2", { Digits: "5", CallSid: "CA123" }))).toBe(true);
  });

  test("3 puts the caller on hold: <Enqueue> waits with the absolute, fingerprinted hold-music endpoint by GET", async () => {
    const hold = await press(await call(), "3");
    expect(hold.says).toEqual([HOLD]);
    expect(hold.text).toContain(
      `<Enqueue waitUrl="https://${HOST}/static/hold-music?v=${md5("hold.wav")}" waitUrlMethod="GET">foo-corp</Enqueue>`,
    );
    expect(hold.gatherAction).toBeUndefined();
  });

  test("4 starts the weather lookup: the caller is asked to hold, and the call polls /weather/poll", async () => {
    const welcome = await call();
    expect(welcome.says[0]).toMatch(/For the weather, press four or say weather\.$/);
    const lookup = await press(welcome, "4");
    expect(isWeather(lookup)).toBe(true);
    expect(lookup.says).toEqual(["We're looking up the weather. Please hold on."]);
    expect(lookup.redirect).toBe("/weather/poll");
    expect(lookup.gatherAction).toBeUndefined();
  });

  test("polling before the weather is in holds the caller one second, then polls again", async () => {
    // A call of its own, whose lookup was never started: the poll finds nothing yet.
    const res = await request(app).post("/weather/poll").type("form").send({ CallSid: "CA-no-lookup" });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<Pause length="1"\/>\s*<Redirect method="POST">\/weather\/poll<\/Redirect>/);
  });

  test("the hold-music endpoint loops the fingerprinted hold.wav by its absolute URL, cacheably", async () => {
    const hold = await press(await call(), "3");
    const waitUrl = new URL(/waitUrl="([^"]+)"/.exec(hold.text)![1]!);
    const res = await request(app).get(`${waitUrl.pathname}${waitUrl.search}`);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/xml; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000");
    expect(res.text).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Play loop="1000">https://${HOST}/static/hold.wav?v=${md5("hold.wav")}</Play></Response>`,
    );
  });

  test.each(["welcome.wav", "goodbye.wav", "hold.wav"])("%s is served at its fingerprinted URL with far-future caching", async (file) => {
    const res = await request(app)
      .get(`/static/${file}?v=${md5(file)}`)
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          done(null, Buffer.concat(chunks));
        });
      });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("audio/wav");
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000");
    expect(Date.parse(res.headers.expires as string) - Date.now()).toBeGreaterThan(364 * 24 * 3600 * 1000);
    expect(res.headers.etag).toBeDefined();
    expect(Buffer.compare(res.body as Buffer, fs.readFileSync(path.join(AUDIO_DIR, file)))).toBe(0);
  });

  test("states that are not routable have no route of their own", async () => {
    for (const url of ["/lunch-specials", "/hours", "/hold", "/goodbye", "/weather", "/weather/lookup", "/weather/wait", "/weather/report"]) {
      expect((await request(app).post(url)).status).toBe(404);
    }
  });
});

describe("Foo Corp example: signature validation", () => {
  const AUTH_TOKEN = "foo-corp-test-token";
  const validating = createApp(library, { authToken: AUTH_TOKEN, host: HOST, scheme: "https" });
  const params = { CallSid: "CA123", From: "+15550001111" };

  test("with an auth token, an unsigned call is rejected with 403", async () => {
    const res = await request(validating).post("/incoming-call").type("form").send(params);
    expect(res.status).toBe(403);
    expect(res.text).not.toContain("Welcome");
  });

  test("with an auth token, a call Twilio signed for the public https URL is answered", async () => {
    const res = await request(validating)
      .post("/incoming-call")
      .type("form")
      .set("X-Twilio-Signature", sign(`https://${HOST}/incoming-call`, params, AUTH_TOKEN))
      .send(params);
    expect(res.status).toBe(200);
    expectWelcome(parse(res.text), 1);
  });

  test("with an auth token, the attempt in a menu's answer URL is signed with it: a signature for attempt 1 does not pass for attempt 3", async () => {
    const answer = { CallSid: "CA123", From: "+15550001111" };
    const signedFor1 = sign(`https://${HOST}/incoming-call-transition-out?attempt=1`, answer, AUTH_TOKEN);
    const first = await request(validating).post("/incoming-call-transition-out?attempt=1").type("form").set("X-Twilio-Signature", signedFor1).send(answer);
    expect(first.status).toBe(200);
    expectWelcome(parse(first.text), 2, WELCOME_TIMEOUT);
    // The same signature on the last attempt's URL (which would put the caller on hold): refused.
    const forged = await request(validating).post("/incoming-call-transition-out?attempt=3").type("form").set("X-Twilio-Signature", signedFor1).send(answer);
    expect(forged.status).toBe(403);
    expect(forged.text).not.toContain("Please hold");
  });

  test("with an auth token, the hold-music endpoint needs a signature too, but audio files do not", async () => {
    expect((await request(validating).get("/static/hold-music")).status).toBe(403);
    const signed = await request(validating)
      .get("/static/hold-music")
      .set("X-Twilio-Signature", sign(`https://${HOST}/static/hold-music`, {}, AUTH_TOKEN));
    expect(signed.status).toBe(200);
    expect((await request(validating).get("/static/welcome.wav")).status).toBe(200);
  });
});

describe("Foo Corp example: generated audio", () => {
  test("examples/audio holds exactly what generate-audio.mjs writes: small 8 kHz mono 16-bit PCM WAVs", () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "foo-corp-audio-"));
    try {
      execFileSync(process.execPath, [path.join(EXAMPLES_DIR, "generate-audio.mjs"), outDir], { stdio: "pipe" });
      const generated = fs.readdirSync(outDir).sort();
      expect(generated).toEqual(fs.readdirSync(AUDIO_DIR).sort());
      expect(generated).toEqual(["goodbye.wav", "hold.wav", "welcome.wav"]);
      let total = 0;
      for (const file of generated) {
        const committed = fs.readFileSync(path.join(AUDIO_DIR, file));
        expect(Buffer.compare(fs.readFileSync(path.join(outDir, file)), committed)).toBe(0);
        total += committed.length;
        expect(committed.toString("ascii", 0, 4)).toBe("RIFF");
        expect(committed.readUInt32LE(4)).toBe(committed.length - 8);
        expect(committed.toString("ascii", 8, 16)).toBe("WAVEfmt ");
        expect(committed.readUInt16LE(20)).toBe(1); // PCM
        expect(committed.readUInt16LE(22)).toBe(1); // mono
        expect(committed.readUInt32LE(24)).toBe(8000);
        expect(committed.readUInt16LE(34)).toBe(16);
        expect(committed.toString("ascii", 36, 40)).toBe("data");
        expect(committed.readUInt32LE(40)).toBe(committed.length - 44);
      }
      expect(total).toBeLessThan(200 * 1024);
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  });
});

// The `curl` lines that README.md's "Set up" shows and that server.js prints at start-up, each run
// as written (through bash, with the real curl) against a listening server, its answer checked
// against the comment at its end. A line whose comment has no check fails: a new line needs one.
describe("Foo Corp example: the curl lines of the README and of server.js work", () => {
  const run = promisify(execFile);

  /** What each line's answer must hold, by the comment at the end of the line. */
  const CHECKS: Record<string, (body: string) => boolean> = {
    "welcome menu": (b) => b.includes("<Say>Welcome to Foo Corp!") && b.includes('action="/incoming-call-transition-out?attempt=1"'),
    "lunch specials": (b) => b.includes("<Say>Our lunch special is a hamburger.</Say>") && b.includes('action="/lunch-specials-transition-out?attempt=1"'),
    "hours, by voice": (b) => b.includes("<Say>We are open Monday to Friday"),
    "not a choice: sorry, attempt 2": (b) => b.includes("<Say>Sorry, that is not one of the choices.</Say>") && b.includes('action="/incoming-call-transition-out?attempt=2"'),
    "silence, last attempt: on hold": (b) => b.includes(`<Say>${HOLD}</Say>`) && b.includes("<Enqueue"),
    hours: (b) => b.includes("<Say>We are open Monday to Friday"),
    goodbye: (b) => b.includes("<Say>Thanks for calling Foo Corp. Goodbye!</Say>") && b.includes("<Hangup/>"),
    "on hold": (b) => b.includes(`<Say>${HOLD}</Say>`) && b.includes("<Enqueue"),
    "hold-music TwiML": (b) => /<Play loop="1000">http:\/\/localhost:\d+\/static\/hold\.wav\?v=[0-9a-f]{32}<\/Play>/.test(b),
    '"please hold"': (b) => b.includes("<Say>We're looking up the weather. Please hold on.</Say>"),
    "holds again, or says the weather": (b) => b.includes('<Pause length="1"/>') || b.includes("Here is the weather in Foo City today"),
    "call over: data deleted": (b) => b === "",
  };

  /** The curl lines of a text, each with the comment at its end. */
  function curlLines(text: string): { line: string; comment: string }[] {
    return text
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.startsWith("curl "))
      .map((line) => ({ line, comment: line.slice(line.lastIndexOf("#") + 1).trim() }));
  }

  /** Runs each line in order; returns the comments, for the caller to check that all were covered. */
  async function runAll(lines: { line: string; comment: string }[]): Promise<void> {
    for (const { line, comment } of lines) {
      const check = CHECKS[comment];
      if (check === undefined) throw new Error(`no check for the curl line ${JSON.stringify(line)}`);
      const { stdout } = await run("bash", ["-c", line.replace(/^curl /, "curl -sS --fail-with-body ")]);
      expect({ line, ok: check(stdout), stdout }).toEqual({ line, ok: true, stdout });
    }
    expect(lines.map((l) => l.comment).sort()).toEqual(Object.keys(CHECKS).sort());
  }

  test("README.md's Set up: every curl line, against the example listening on a port", async () => {
    const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
    const setUp = readme.slice(readme.indexOf("## Set up"), readme.indexOf("## Usage"));
    const store = new MemoryStore();
    const server: Server = await new Promise((resolve) => {
      const s = createApp(library, { host: "localhost:3000", sessionStore: store, weatherService: createFakeWeatherService({ delayMs: 5 }) }).listen(0, "127.0.0.1", () => {
        resolve(s);
      });
    });
    try {
      const port = (server.address() as AddressInfo).port;
      const lines = curlLines(setUp);
      expect(lines.every((l) => l.line.includes("localhost:3000/"))).toBe(true);
      await runAll(lines.map((l) => ({ ...l, line: l.line.replace(/localhost:3000\//g, `127.0.0.1:${port}/`) })));
      // The last line reported the call over: its weather data is gone.
      expect(await store.get("CA1")).toBeUndefined();
    } finally {
      await new Promise((resolve) => server.close(resolve));
      store.close();
    }
  });

  describe("server.js, run as `npm start` runs it (on the library built from src)", () => {
    // A copy of examples/ beside a freshly bundled dist/index.cjs, so that server.js's
    // require("../../dist/index.cjs") finds this source's library without touching the repository's
    // dist/ (which other checks may be using). Under node_modules/.cache, so that the bundle's
    // dependencies resolve from the repository's node_modules.
    const BUILD_DIR = path.join(REPO, "node_modules", ".cache", `example-server-${process.pid}`);
    let child: ChildProcess | undefined;
    let printed = "";

    beforeAll(async () => {
      fs.rmSync(BUILD_DIR, { recursive: true, force: true });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const esbuild = require("esbuild") as typeof Esbuild;
      await esbuild.build({
        entryPoints: [path.join(REPO, "src", "index.ts")],
        bundle: true,
        platform: "node",
        format: "cjs",
        target: "node20",
        packages: "external",
        outfile: path.join(BUILD_DIR, "dist", "index.cjs"),
        logLevel: "silent",
      });
      fs.cpSync(path.join(EXAMPLES_DIR, "foo-corp"), path.join(BUILD_DIR, "examples", "foo-corp"), { recursive: true });
      fs.cpSync(AUDIO_DIR, path.join(BUILD_DIR, "examples", "audio"), { recursive: true });

      const port = await freePort();
      const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !["TWILIO_AUTH_TOKEN", "PUBLIC_HOST", "REDIS_URL"].includes(name)));
      const started = spawn(process.execPath, [path.join(BUILD_DIR, "examples", "foo-corp", "server.js")], { env: { ...env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"] });
      child = started;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`server.js did not finish its start-up message within 10 s:\n${printed}`));
        }, 10_000);
        started.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          printed += chunk;
          if (printed.includes("npx twilio-interactive-flow call")) {
            clearTimeout(timer);
            resolve();
          }
        });
        started.stderr.setEncoding("utf8").on("data", (chunk: string) => (printed += chunk));
        started.on("exit", (code) => {
          clearTimeout(timer);
          reject(new Error(`server.js exited with ${String(code)}:\n${printed}`));
        });
      });
    }, 30_000);

    afterAll(() => {
      child?.kill();
      fs.rmSync(BUILD_DIR, { recursive: true, force: true });
    });

    test("prints the same walk as the README, for its own port", () => {
      const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
      const setUp = readme.slice(readme.indexOf("## Set up"), readme.indexOf("## Usage"));
      const normalize = (lines: { line: string }[]): string[] => lines.map((l) => l.line.replace(/localhost:\d+/g, "HOST").replace(/\s+#.*$/, "").replace(/\s+/g, " "));
      expect(normalize(curlLines(printed))).toEqual(normalize(curlLines(setUp)));
    });

    test("every curl line it prints works", async () => {
      await runAll(curlLines(printed));
    });
  });
});

