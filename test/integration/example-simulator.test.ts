// Walks every path of the Foo Corp example (examples/foo-corp) with the call simulator, every
// request signed as Twilio would sign it, against the app built from the TypeScript source.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import * as library from "../../src";
import { simulateCall } from "../../src/testing";
import type { SimulatedCall } from "../../src/testing";

import { AUDIO_DIR, createApp, createFakeWeatherService, DEFAULT_FORECAST } from "../helpers/example";
import { CHOICES, HOLD, LUNCH, LUNCH_AGAIN, LUNCH_INVALID, LUNCH_TIMEOUT, WELCOME, WELCOME_INVALID, WELCOME_TIMEOUT } from "../helpers/example-texts";

const AUTH_TOKEN = "foo-corp-test-token-0123456789abcdef";
const HOST = "ivr.foo-corp.example";
const BASE = `https://${HOST}`;
const md5 = (file: string): string => crypto.createHash("md5").update(fs.readFileSync(path.join(AUDIO_DIR, file))).digest("hex");

const WELCOME_WAV = `${BASE}/static/welcome.wav?v=${md5("welcome.wav")}`;
const GOODBYE_WAV = `${BASE}/static/goodbye.wav?v=${md5("goodbye.wav")}`;
const HOLD_WAV = `${BASE}/static/hold.wav?v=${md5("hold.wav")}`;
const HOLD_MUSIC = `${BASE}/static/hold-music?v=${md5("hold.wav")}`;

const HOURS = ["We are open Monday to Friday, from 11 in the morning to 3 in the afternoon.", "To hear our lunch specials, press one."];
const GOODBYE = "Thanks for calling Foo Corp. Goodbye!";
const WEATHER_HOLD = "We're looking up the weather. Please hold on.";
const WEATHER = `Here is the weather in Foo City today: ${DEFAULT_FORECAST}.`;

// Behind a TLS-terminating proxy, as deployed: Twilio calls https://HOST, the app speaks http.
// The weather lookup answers at once here (test/integration/weather.test.ts walks slow and failing lookups).
const app = createApp(library, { authToken: AUTH_TOKEN, host: HOST, scheme: "https", weatherService: createFakeWeatherService({ delayMs: 0 }) });

function call(): Promise<SimulatedCall> {
  // pauseMs: the weather's "please hold" loop polls after a <Pause length="1"/>. Waited for a
  // millisecond, the pause lets the lookup's timer fire; not waited for at all, an in-process
  // call would spin through every poll before any timer runs, and the weather never arrives.
  return simulateCall(app, { uri: "/incoming-call", authToken: AUTH_TOKEN, baseUrl: BASE, pauseMs: 1 });
}

/** What the caller heard since transcript entry `from`: said text and played URLs, in order. */
function heardSince(c: SimulatedCall, from: number): string[] {
  return c.transcript.slice(from).flatMap((e) => (e.type === "say" ? [e.text] : e.type === "play" ? [e.url] : []));
}

/** Runs a caller action and returns what was heard in answer. */
async function step(c: SimulatedCall, act: (c: SimulatedCall) => Promise<void>): Promise<string[]> {
  const from = c.transcript.length;
  await act(c);
  return heardSince(c, from);
}

const press = (keys: string) => (c: SimulatedCall) => c.press(keys);
const say = (words: string) => (c: SimulatedCall) => c.say(words);
const silence = (c: SimulatedCall) => c.silence();
const welcomeAction = (attempt: number): string => `${BASE}/incoming-call-transition-out?attempt=${attempt}`;
/** The Gather the call waits at (its entry comes before what is said inside it). */
const lastGather = (c: SimulatedCall) => c.transcript.filter((e) => e.type === "gather").at(-1);

function expectAllRequests200(c: SimulatedCall): void {
  const statuses = c.transcript.flatMap((e) => (e.type === "request" ? [`${e.method} ${e.url} ${e.status}`] : []));
  expect(statuses.length).toBeGreaterThan(0);
  for (const line of statuses) expect(line).toMatch(/ 200$/);
}

function expectGoodbyeAndHangup(c: SimulatedCall, heard: string[]): void {
  expect(heard).toEqual([GOODBYE, GOODBYE_WAV]);
  expect(c.lastSaid).toBe(GOODBYE);
  expect(c.ended).toBe(true);
  expect(c.transcript.at(-1)).toEqual({ type: "hangup", by: "app" });
}

describe("Foo Corp, walked with the simulator (signed requests)", () => {
  it("welcomes the caller with the fingerprinted welcome recording and the menu, waiting for a key or speech", async () => {
    const c = await call();
    expect(heardSince(c, 0)).toEqual([WELCOME_WAV, WELCOME]);
    expect(c.played).toEqual([WELCOME_WAV]);
    expect(c.waitingFor).toBe("gather");
    expect(c.transcript).toContainEqual({ type: "gather", input: ["dtmf", "speech"], timeout: 5, action: welcomeAction(1), method: "POST" });
    expectAllRequests200(c);
  });

  it("1 -> lunch, 1 -> hours, 1 -> lunch, 1 -> hours, another key -> goodbye and hangup", async () => {
    const c = await call();
    expect(await step(c, press("1"))).toEqual(LUNCH);
    expect(c.lastSaid).toBe(LUNCH[1]);
    expect(await step(c, press("1"))).toEqual(HOURS);
    expect(await step(c, press("1"))).toEqual(LUNCH);
    expect(await step(c, press("1"))).toEqual(HOURS);
    expectGoodbyeAndHangup(c, await step(c, press("7")));
    expectAllRequests200(c);
  });

  it("by voice: 'lunch specials' -> lunch, 'hours' -> hours; the hours listen for keys only, so words there end the call", async () => {
    const c = await call();
    expect(await step(c, say("Lunch specials, please."))).toEqual(LUNCH);
    expect(c.transcript).toContainEqual({ type: "input", speech: "Lunch specials, please." });
    expect(await step(c, say("the hours"))).toEqual(HOURS);
    expect(lastGather(c)).toMatchObject({ type: "gather", input: ["dtmf"] });
    expectGoodbyeAndHangup(c, await step(c, say("lunch specials")));
    expectAllRequests200(c);
  });

  it("by voice: 'speak to someone' -> on hold; 'agent' and 'three' too", async () => {
    for (const words of ["I'd like to speak to someone", "Agent.", "three"]) {
      const c = await call();
      expect(await step(c, say(words))).toEqual([HOLD, HOLD_WAV]);
      expect(c.waitingFor).toBe("hold");
    }
  });

  it("by voice: 'weather' -> please hold, the weather, then the welcome menu again", async () => {
    const c = await call();
    expect(await step(c, say("What's the weather going to be?"))).toEqual([WEATHER_HOLD, WEATHER, WELCOME_WAV, WELCOME]);
    expect(c.waitingFor).toBe("gather");
    expectAllRequests200(c);
  });

  it("words that pick nothing, or two things at once: sorry, and the choices again", async () => {
    const c = await call();
    expect(await step(c, say("I want a pizza"))).toEqual([WELCOME_INVALID, CHOICES]);
    expect(await step(c, say("lunch or hours"))).toEqual([WELCOME_INVALID, CHOICES]);
    expect(lastGather(c)).toMatchObject({ type: "gather", action: welcomeAction(3) });
    expect(await step(c, say("lunch"))).toEqual(LUNCH);
  });

  it("2 -> hours, another key -> goodbye and hangup", async () => {
    const c = await call();
    expect(await step(c, press("2"))).toEqual(HOURS);
    expect(c.lastSaid).toBe(HOURS[1]);
    expectGoodbyeAndHangup(c, await step(c, press("2")));
    expectAllRequests200(c);
  });

  it("3 -> hold: the Enqueue fetches the hold-music endpoint by GET, which plays the hold music", async () => {
    const c = await call();
    const heard = await step(c, press("3"));
    expect(heard).toEqual([HOLD, HOLD_WAV]);
    expect(c.transcript).toContainEqual({ type: "enqueue", queue: "foo-corp", waitUrl: HOLD_MUSIC });
    expect(c.transcript).toContainEqual({ type: "request", method: "GET", url: HOLD_MUSIC, status: 200 });
    expect(c.transcript).toContainEqual({ type: "play", url: HOLD_WAV, loop: 1000 });
    expect(c.waitingFor).toBe("hold");
    expect(c.ended).toBe(false);

    // Still on hold: another pass of the hold music, until the caller gives up.
    expect(await step(c, silence)).toEqual([HOLD_WAV]);
    expect(c.waitingFor).toBe("hold");
    await c.hangUp();
    expect(c.ended).toBe(true);
    expectAllRequests200(c);
  });

  it("4 -> please hold, the weather once the lookup is in, then the welcome menu again", async () => {
    const c = await call();
    const heard = await step(c, press("4"));
    expect(heard).toEqual([WEATHER_HOLD, WEATHER, WELCOME_WAV, WELCOME]);
    expect(c.transcript).toContainEqual({ type: "redirect", url: `${BASE}/weather/poll`, method: "POST" });
    expect(c.transcript).toContainEqual({ type: "redirect", url: `${BASE}/incoming-call`, method: "POST" });
    expect(c.waitingFor).toBe("gather");
    // And the menu still works afterwards, the weather included.
    expect(await step(c, press("4"))).toEqual([WEATHER_HOLD, WEATHER, WELCOME_WAV, WELCOME]);
    expect(await step(c, press("2"))).toEqual(HOURS);
    expectAllRequests200(c);
  });

  it("silence at the welcome menu: 'didn't hear' and the choices, twice, then the caller is put through to a person", async () => {
    const c = await call();
    expect(await step(c, silence)).toEqual([WELCOME_TIMEOUT, CHOICES]);
    // Twilio followed the <Redirect> after the first attempt's Gather: to the same answer URL.
    expect(c.transcript).toContainEqual({ type: "redirect", url: welcomeAction(1), method: "POST" });
    expect(lastGather(c)).toMatchObject({ type: "gather", action: welcomeAction(2) });
    expect(await step(c, silence)).toEqual([WELCOME_TIMEOUT, CHOICES]);
    expect(lastGather(c)).toMatchObject({ type: "gather", action: welcomeAction(3) });
    expect(await step(c, silence)).toEqual([HOLD, HOLD_WAV]);
    expect(c.waitingFor).toBe("hold");
    expectAllRequests200(c);
  });

  it("a silence, then a choice: the menu still works", async () => {
    const c = await call();
    await c.silence();
    expect(await step(c, press("2"))).toEqual(HOURS);
    expectAllRequests200(c);
  });

  it.each(["0", "5", "6", "7", "8", "9", "*"])("key %s at the welcome menu: 'not one of the choices', and the choices again", async (key) => {
    const c = await call();
    expect(await step(c, press(key))).toEqual([WELCOME_INVALID, CHOICES]);
    expect(c.waitingFor).toBe("gather");
    expectAllRequests200(c);
  });

  it("# alone at the welcome menu ends the Gather with no keys: it counts as silence", async () => {
    const c = await call();
    expect(await step(c, press("#"))).toEqual([WELCOME_TIMEOUT, CHOICES]);
  });

  it("only the first key counts at a one-key menu: 12 chooses lunch", async () => {
    const c = await call();
    expect(await step(c, press("12"))).toEqual(LUNCH);
  });

  it("silence at the lunch specials: 'didn't catch that' and the choice; silence again says goodbye", async () => {
    const c = await call();
    await c.press("1");
    expect(await step(c, silence)).toEqual([LUNCH_TIMEOUT, LUNCH_AGAIN]);
    expectGoodbyeAndHangup(c, await step(c, silence));
    expectAllRequests200(c);
  });

  it("a wrong key at the lunch specials: 'not one of the choices' and the choice; then 1 or 'hours' -> the hours", async () => {
    for (const answer of [press("1"), say("hours please")]) {
      const c = await call();
      await c.press("1");
      expect(await step(c, press("3"))).toEqual([LUNCH_INVALID, LUNCH_AGAIN]);
      expect(lastGather(c)).toMatchObject({ type: "gather", action: `${BASE}/lunch-specials-transition-out?attempt=2` });
      expect(await step(c, answer)).toEqual(HOURS);
    }
  });

  it("two wrong keys at the lunch specials say goodbye", async () => {
    const c = await call();
    await c.press("1");
    await c.press("3");
    expectGoodbyeAndHangup(c, await step(c, press("3")));
  });

  it("silence at the hours says goodbye", async () => {
    const c = await call();
    await c.press("2");
    expectGoodbyeAndHangup(c, await step(c, silence));
    expectAllRequests200(c);
  });

  it("the caller can hang up at a menu, after which keys are refused", async () => {
    const c = await call();
    await c.press("1");
    await c.hangUp();
    expect(c.ended).toBe(true);
    expect(c.transcript.at(-1)).toEqual({ type: "hangup", by: "caller" });
    await expect(c.press("1")).rejects.toThrow(/ended/);
  });

  it("refuses a caller without the token (403)", async () => {
    await expect(simulateCall(app, { uri: "/incoming-call", baseUrl: BASE })).rejects.toThrow(/\b403\b/);
  });
});

describe("Foo Corp: any sequence of keys, words and silences", () => {
  type Place = { at: "welcome" | "lunch"; attempt: number } | { at: "hours" | "hold" | "ended" };
  type Action = { kind: "press"; key: string } | { kind: "say"; words: string } | { kind: "silence" };
  type Answer = { choice: string } | "invalid" | "timeout";

  /** What a menu makes of an action, written from states.js's comments independently of the library. */
  function answer(at: "welcome" | "lunch", action: Action): Answer {
    // # alone ends the Gather with no keys: Twilio follows the <Redirect>, as after silence.
    if (action.kind === "silence" || (action.kind === "press" && action.key === "#")) return "timeout";
    if (action.kind === "press") return (at === "welcome" ? ["1", "2", "3", "4"] : ["1"]).includes(action.key) ? { choice: action.key } : "invalid";
    const welcomeWords: Record<string, string> = { "lunch specials": "1", hours: "2", agent: "3", weather: "4", three: "3" };
    if (at === "welcome") return welcomeWords[action.words] === undefined ? "invalid" : { choice: welcomeWords[action.words]! };
    return action.words.split(" ").includes("hours") ? { choice: "1" } : "invalid";
  }

  /** Where the tree goes, and what the caller hears on the way. */
  function next(place: Place, action: Action): { place: Place; heard: string[] } {
    const hold = { place: { at: "hold" } as Place, heard: [HOLD, HOLD_WAV] };
    const goodbye = { place: { at: "ended" } as Place, heard: [GOODBYE, GOODBYE_WAV] };
    const lunch = { place: { at: "lunch", attempt: 1 } as Place, heard: LUNCH };
    switch (place.at) {
      case "welcome": {
        const a = answer("welcome", action);
        if (a === "invalid" || a === "timeout") {
          if (place.attempt === 3) return hold;
          return { place: { at: "welcome", attempt: place.attempt + 1 }, heard: [a === "invalid" ? WELCOME_INVALID : WELCOME_TIMEOUT, CHOICES] };
        }
        if (a.choice === "1") return lunch;
        if (a.choice === "2") return { place: { at: "hours" }, heard: HOURS };
        if (a.choice === "3") return hold;
        // 4: the weather, then the welcome menu from the start.
        return { place: { at: "welcome", attempt: 1 }, heard: [WEATHER_HOLD, WEATHER, WELCOME_WAV, WELCOME] };
      }
      case "lunch": {
        const a = answer("lunch", action);
        if (typeof a === "object") return { place: { at: "hours" }, heard: HOURS };
        if (place.attempt === 2) return goodbye;
        return { place: { at: "lunch", attempt: 2 }, heard: [a === "invalid" ? LUNCH_INVALID : LUNCH_TIMEOUT, LUNCH_AGAIN] };
      }
      case "hours":
        // Keys only: words count as silence.
        return action.kind === "press" && action.key === "1" ? lunch : goodbye;
      case "hold":
        return { place, heard: [HOLD_WAV] };
      case "ended":
        return { place, heard: [] };
    }
  }

  const action: fc.Arbitrary<Action> = fc.oneof(
    fc.constantFrom("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#").map((key): Action => ({ kind: "press", key })),
    fc.constantFrom("lunch specials", "hours", "agent", "weather", "three", "banana", "lunch hours").map((words): Action => ({ kind: "say", words })),
    fc.constant<Action>({ kind: "silence" }),
  );

  it("hears what the model says, answers every request with 200, and always waits at a Gather, on hold, or has ended", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 10 }), async (actions) => {
        const c = await call();
        let place: Place = { at: "welcome", attempt: 1 };
        for (const a of actions) {
          if (c.ended) break;
          const heard = await step(c, a.kind === "press" ? press(a.key) : a.kind === "say" ? say(a.words) : silence);
          const expected = next(place, a);
          place = expected.place;
          expect(heard).toEqual(expected.heard);
          expect(c.waitingFor).toBe(place.at === "hold" ? "hold" : place.at === "ended" ? "ended" : "gather");
          if (place.at === "welcome" || place.at === "lunch") {
            const uri = place.at === "welcome" ? "incoming-call-transition-out" : "lunch-specials-transition-out";
            expect(lastGather(c)).toMatchObject({ type: "gather", action: `${BASE}/${uri}?attempt=${place.attempt}` });
          }
        }
        expectAllRequests200(c);
        if (c.ended) expect(c.transcript.at(-1)).toEqual({ type: "hangup", by: "app" });
      }),
      { numRuns: 80 },
    );
  });
});
