import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import request from "supertest";
import twilioIvr from "../../src";
import { isValidState } from "../../src";
import { sign } from "../helpers/app";

import { AUDIO_DIR, createApp, createFakeWeatherService, exampleStates as states } from "../helpers/example";

const HOST = "ivr.example.com";
const EXAMPLES_DIR = path.join(__dirname, "..", "..", "examples");
const md5 = (file: string): string => crypto.createHash("md5").update(fs.readFileSync(path.join(AUDIO_DIR, file))).digest("hex");

// A quick pretend weather service: the lookups these tests start finish (and stop their timers) at once.
const app = createApp(twilioIvr, { host: HOST, scheme: "https", weatherService: createFakeWeatherService({ delayMs: 5 }) });

/** What a caller hears, reduced to the parts the tests check. */
interface Twiml {
  text: string;
  says: string[];
  plays: string[];
  gatherAction: string | undefined;
  redirect: string | undefined;
  hangsUp: boolean;
}

function parse(text: string): Twiml {
  return {
    text,
    says: [...text.matchAll(/<Say>([^<]*)<\/Say>/g)].map((m) => m[1]!),
    plays: [...text.matchAll(/<Play>([^<]*)<\/Play>/g)].map((m) => m[1]!),
    gatherAction: /<Gather action="([^"]*)"/.exec(text)?.[1],
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

/** The caller presses nothing: the `<Gather>` times out and Twilio follows the `<Redirect>`, with no digits. */
async function waitSilently(current: Twiml): Promise<Twiml> {
  expect(current.redirect).toBeDefined();
  expect(current.redirect).toBe(current.gatherAction);
  return post(current.redirect!, { CallSid: "CA123" });
}

const call = (): Promise<Twiml> => post("/incoming-call", { CallSid: "CA123", From: "+15550001111" });

const isWelcome = (t: Twiml): boolean => t.says.some((s) => s.startsWith("Welcome to Foo Corp!"));
const isLunch = (t: Twiml): boolean => t.says.includes("Our lunch special is a hamburger.");
const isHours = (t: Twiml): boolean => t.says.some((s) => s.startsWith("We are open Monday to Friday"));
const isGoodbye = (t: Twiml): boolean => t.says.includes("Thanks for calling Foo Corp. Goodbye!") && t.hangsUp;

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

  test("the incoming call plays the fingerprinted welcome chime, then the menu, inside the <Gather>", async () => {
    const welcome = await call();
    expect(isWelcome(welcome)).toBe(true);
    expect(welcome.plays).toEqual([`/static/welcome.wav?v=${md5("welcome.wav")}`]);
    expect(welcome.gatherAction).toBe("/incoming-call-transition-out");
    expect(welcome.redirect).toBe("/incoming-call-transition-out");
    expect(welcome.text).toMatch(/<Gather [^>]*>\s*<Play>.*<\/Play>\s*<Say>Welcome/);
  });

  test("1 -> lunch specials -> 1 -> hours -> 1 -> lunch specials -> 1 -> hours", async () => {
    const lunch = await press(await call(), "1");
    expect(isLunch(lunch)).toBe(true);
    expect(lunch.gatherAction).toBe("/lunch-specials-transition-out");
    const hours = await press(lunch, "1");
    expect(isHours(hours)).toBe(true);
    expect(hours.gatherAction).toBe("/hours-transition-out");
    const lunchAgain = await press(hours, "1");
    expect(isLunch(lunchAgain)).toBe(true);
    expect(isHours(await press(lunchAgain, "1"))).toBe(true);
  });

  test("2 -> hours -> 1 -> lunch specials", async () => {
    const hours = await press(await call(), "2");
    expect(isHours(hours)).toBe(true);
    expect(isLunch(await press(hours, "1"))).toBe(true);
  });

  test("pressing nothing at the welcome menu repeats it", async () => {
    const again = await waitSilently(await call());
    expect(isWelcome(again)).toBe(true);
    expect(again.plays).toEqual([`/static/welcome.wav?v=${md5("welcome.wav")}`]);
  });

  test.each(["0", "5", "9", "*", "#"])("an invalid key (%s) at the welcome menu repeats it", async (digit) => {
    expect(isWelcome(await press(await call(), digit))).toBe(true);
  });

  test.each([
    ["lunch specials", "1", "2"],
    ["lunch specials", "1", "9"],
    ["hours", "2", "2"],
    ["hours", "2", "#"],
  ])("any other key at %s (menu %s, then %s) says goodbye and hangs up", async (_, first, second) => {
    const goodbye = await press(await press(await call(), first), second);
    expect(isGoodbye(goodbye)).toBe(true);
    expect(goodbye.plays).toEqual([`/static/goodbye.wav?v=${md5("goodbye.wav")}`]);
    expect(goodbye.gatherAction).toBeUndefined();
    expect(goodbye.redirect).toBeUndefined();
  });

  test.each([
    ["lunch specials", "1"],
    ["hours", "2"],
  ])("pressing nothing at %s says goodbye", async (_, first) => {
    expect(isGoodbye(await waitSilently(await press(await call(), first)))).toBe(true);
  });

  test("3 puts the caller on hold: <Enqueue> waits with the absolute, fingerprinted hold-music endpoint by GET", async () => {
    const hold = await press(await call(), "3");
    expect(hold.says).toEqual(["Please hold while we find someone to help you."]);
    expect(hold.text).toContain(
      `<Enqueue waitUrl="https://${HOST}/static/hold-music?v=${md5("hold.wav")}" waitUrlMethod="GET">foo-corp</Enqueue>`,
    );
    expect(hold.gatherAction).toBeUndefined();
  });

  test("4 starts the weather lookup: the caller is asked to hold, and the call polls /weather/poll", async () => {
    const welcome = await call();
    expect(welcome.says[0]).toMatch(/For the weather, press four\.$/);
    const lookup = await press(welcome, "4");
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
  const validating = createApp(twilioIvr, { authToken: AUTH_TOKEN, host: HOST, scheme: "https" });
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
    expect(isWelcome(parse(res.text))).toBe(true);
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
