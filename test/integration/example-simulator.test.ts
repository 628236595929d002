// Walks every path of the Foo Corp example (examples/foo-corp) with the call simulator, every
// request signed as Twilio would sign it, against the app built from the TypeScript source.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import twilioIvr from "../../src";
import { simulateCall } from "../../src/testing";
import type { SimulatedCall } from "../../src/testing";

import { AUDIO_DIR, createApp, createFakeWeatherService, DEFAULT_FORECAST } from "../helpers/example";

const AUTH_TOKEN = "foo-corp-test-token-0123456789abcdef";
const HOST = "ivr.foo-corp.example";
const BASE = `https://${HOST}`;
const md5 = (file: string): string => crypto.createHash("md5").update(fs.readFileSync(path.join(AUDIO_DIR, file))).digest("hex");

const WELCOME_WAV = `${BASE}/static/welcome.wav?v=${md5("welcome.wav")}`;
const GOODBYE_WAV = `${BASE}/static/goodbye.wav?v=${md5("goodbye.wav")}`;
const HOLD_WAV = `${BASE}/static/hold.wav?v=${md5("hold.wav")}`;
const HOLD_MUSIC = `${BASE}/static/hold-music?v=${md5("hold.wav")}`;

const WELCOME =
  "Welcome to Foo Corp! To hear our lunch specials, press one. For our hours, press two. To speak with someone, press three. For the weather, press four.";
const LUNCH = ["Our lunch special is a hamburger.", "If you want to now hear our hours, press one."];
const HOURS = ["We are open Monday to Friday, from 11 in the morning to 3 in the afternoon.", "To hear our lunch specials, press one."];
const HOLD = "Please hold while we find someone to help you.";
const GOODBYE = "Thanks for calling Foo Corp. Goodbye!";
const WEATHER_HOLD = "We're looking up the weather. Please hold on.";
const WEATHER = `Here is the weather in Foo City today: ${DEFAULT_FORECAST}.`;

// Behind a TLS-terminating proxy, as deployed: Twilio calls https://HOST, the app speaks http.
// The weather lookup answers at once here (test/integration/weather.test.ts walks slow and failing lookups).
const app = createApp(twilioIvr, { authToken: AUTH_TOKEN, host: HOST, scheme: "https", weatherService: createFakeWeatherService({ delayMs: 0 }) });

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
const silence = (c: SimulatedCall) => c.silence();

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
  it("welcomes the caller with the fingerprinted welcome recording and the menu, waiting for one key", async () => {
    const c = await call();
    expect(heardSince(c, 0)).toEqual([WELCOME_WAV, WELCOME]);
    expect(c.played).toEqual([WELCOME_WAV]);
    expect(c.waitingFor).toBe("gather");
    expect(c.transcript).toContainEqual({ type: "gather", input: ["dtmf"], timeout: 5, action: `${BASE}/incoming-call-transition-out`, method: "POST" });
    expectAllRequests200(c);
  });

  it("1 -> lunch, 1 -> hours, 1 -> lunch, another key -> goodbye and hangup", async () => {
    const c = await call();
    expect(await step(c, press("1"))).toEqual(LUNCH);
    expect(c.lastSaid).toBe(LUNCH[1]);
    expect(await step(c, press("1"))).toEqual(HOURS);
    expect(await step(c, press("1"))).toEqual(LUNCH);
    expectGoodbyeAndHangup(c, await step(c, press("7")));
    expectAllRequests200(c);
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

  it("no input at the welcome menu plays the welcome menu again", async () => {
    const c = await call();
    expect(await step(c, silence)).toEqual([WELCOME_WAV, WELCOME]);
    expect(c.transcript).toContainEqual({ type: "redirect", url: `${BASE}/incoming-call-transition-out`, method: "POST" });
    expect(c.waitingFor).toBe("gather");
    // And the menu still works afterwards.
    expect(await step(c, press("2"))).toEqual(HOURS);
    expectAllRequests200(c);
  });

  it.each(["0", "5", "6", "7", "8", "9", "*", "#"])("key %s at the welcome menu plays the welcome menu again", async (key) => {
    const c = await call();
    expect(await step(c, press(key))).toEqual([WELCOME_WAV, WELCOME]);
    expect(c.waitingFor).toBe("gather");
    expectAllRequests200(c);
  });

  it("only the first key counts at a one-key menu: 12 chooses lunch", async () => {
    const c = await call();
    expect(await step(c, press("12"))).toEqual(LUNCH);
  });

  it("silence at the lunch specials says goodbye", async () => {
    const c = await call();
    await c.press("1");
    expectGoodbyeAndHangup(c, await step(c, silence));
    expectAllRequests200(c);
  });

  it("silence at the hours says goodbye", async () => {
    const c = await call();
    await c.press("2");
    expectGoodbyeAndHangup(c, await step(c, silence));
    expectAllRequests200(c);
  });

  it("a key other than 1 at the lunch specials says goodbye", async () => {
    const c = await call();
    await c.press("1");
    expectGoodbyeAndHangup(c, await step(c, press("3")));
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

describe("Foo Corp: any sequence of keys and silences", () => {
  type Place = "welcome" | "lunch" | "hours" | "hold" | "ended";
  type Action = { kind: "press"; key: string } | { kind: "silence" };

  /** Where the tree goes, written from states.js's comments independently of the simulator. */
  function next(place: Place, action: Action): Place {
    const key = action.kind === "press" && action.key !== "#" ? action.key : undefined; // # alone ends the Gather with no digits
    switch (place) {
      case "welcome":
        // 4: the weather is said, then the welcome menu again.
        return key === "1" ? "lunch" : key === "2" ? "hours" : key === "3" ? "hold" : "welcome";
      case "lunch":
        return key === "1" ? "hours" : "ended";
      case "hours":
        return key === "1" ? "lunch" : "ended";
      case "hold":
        return "hold";
      case "ended":
        return "ended";
    }
  }

  const LAST_SAID: Record<Place, string> = { welcome: WELCOME, lunch: LUNCH[1]!, hours: HOURS[1]!, hold: HOLD, ended: GOODBYE };
  const WAITING: Record<Place, string> = { welcome: "gather", lunch: "gather", hours: "gather", hold: "hold", ended: "ended" };

  const action: fc.Arbitrary<Action> = fc.oneof(
    fc.constantFrom("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#").map((key): Action => ({ kind: "press", key })),
    fc.constant<Action>({ kind: "silence" }),
  );

  it("never fails, answers every request with 200, and always waits at a Gather, on hold, or has ended", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 10 }), async (actions) => {
        const c = await call();
        let place: Place = "welcome";
        for (const a of actions) {
          if (c.ended) break;
          await (a.kind === "press" ? c.press(a.key) : c.silence());
          place = next(place, a);
          expect(["gather", "hold", "ended"]).toContain(c.waitingFor);
          expect(c.waitingFor).toBe(WAITING[place]);
          expect(c.lastSaid).toBe(LAST_SAID[place]);
        }
        expectAllRequests200(c);
        if (c.ended) expect(c.transcript.at(-1)).toEqual({ type: "hangup", by: "app" });
      }),
      { numRuns: 60 },
    );
  });
});
