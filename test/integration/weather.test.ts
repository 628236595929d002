// The Foo Corp example's weather lookup (examples/foo-corp): an asynchronous state starts a slow
// lookup in the background, the caller holds while the call polls /weather/poll, and the call's
// session is where the lookup and the polls meet. Walked with the call simulator (signed
// requests, in-process app), on the MemoryStore and on a RedisStore against a real redis-server.
import * as library from "../../src";
import { MemoryStore, RedisStore } from "../../src";
import type { SessionStore } from "../../src";
import { simulateCall } from "../../src/testing";
import type { SimulatedCall } from "../../src/testing";
import { createApp, createFakeWeatherService, MAX_WEATHER_POLLS, STATUS_CALLBACK_URI, WEATHER_POLL_URI, type WeatherService } from "../helpers/example";
import { describeWithRedis, rawCommand, startRedisServer, type RedisServer } from "../helpers/redis-server";

const AUTH_TOKEN = "weather-test-token-5e1f0c7a9b3d";
const HOST = "weather.foo-corp.example";
const BASE = `https://${HOST}`;
/** Wall-clock milliseconds per second of <Pause>: each poll of the hold loop waits this long. */
const PAUSE_MS = 20;

const WELCOME =
  "Welcome to Foo Corp! To hear our lunch specials, press one or say lunch specials. For our hours, press two or say hours. " +
  "To speak with someone, press three or say agent. For the weather, press four or say weather.";
const HOLD_ON = "We're looking up the weather. Please hold on.";
const UNAVAILABLE = "Sorry, we can't get the weather right now.";
const GOODBYE = "Thanks for calling Foo Corp. Goodbye!";
const FORECAST = "light rain, clearing by the evening, and 14 degrees";
const REPORT = `Here is the weather in Foo City today: ${FORECAST}.`;

/** A lookup that never settles (a service that hangs); it holds no timer. */
const hangingService: WeatherService = { lookUp: () => new Promise<string>(() => undefined) };

/** A service whose lookups answer "forecast number 1", "forecast number 2", ... after two pauses' time. */
function numberedService(): WeatherService {
  let lookups = 0;
  return {
    lookUp: () => {
      const n = ++lookups;
      return new Promise((resolve) => setTimeout(() => { resolve(`forecast number ${n}`); }, 2 * PAUSE_MS));
    },
  };
}

/** The requests the call sent to the poll route. */
function polls(call: SimulatedCall): number {
  return call.transcript.filter((e) => e.type === "request" && new URL(e.url).pathname === WEATHER_POLL_URI).length;
}

function pauses(call: SimulatedCall): number[] {
  return call.transcript.flatMap((e) => (e.type === "pause" ? [e.seconds] : []));
}

function expectAllRequestsAnswered(call: SimulatedCall): void {
  for (const entry of call.transcript) if (entry.type === "request") expect(`${entry.url} ${entry.status}`).toMatch(/ (200|204)$/);
}

/** The call's data as the store holds it, values decoded; undefined when the store has none. */
async function storedData(store: SessionStore, callSid: string): Promise<Record<string, unknown> | undefined> {
  const stored = await store.get(callSid);
  if (stored === undefined) return undefined;
  return Object.fromEntries(Object.entries(stored.fields).map(([key, json]) => [key, JSON.parse(json) as unknown]));
}

/**
 * The weather walks, run once per store. `store()` is the store under test; `existsInBackend`
 * asks the backend itself (not the store) whether the call still has data, when it can.
 */
function weatherWalks(store: () => SessionStore, existsInBackend?: (callSid: string) => Promise<boolean>): void {
  const appWith = (weatherService: WeatherService) =>
    createApp(library, { authToken: AUTH_TOKEN, host: HOST, scheme: "https", sessionStore: store(), weatherService });

  const dial = (app: ReturnType<typeof appWith>, options: { statusCallback?: string } = {}): Promise<SimulatedCall> =>
    simulateCall(app, { uri: "/incoming-call", authToken: AUTH_TOKEN, baseUrl: BASE, pauseMs: PAUSE_MS, ...options });

  test("press 4 -> please hold -> the call holds and polls until the lookup is in -> the weather, then the menu again", async () => {
    // The lookup takes a few polls' worth of time: the caller must hold at least once.
    const app = appWith(createFakeWeatherService({ delayMs: 3 * PAUSE_MS, forecast: FORECAST }));
    const call = await dial(app);
    expect(call.lastSaid).toBe(WELCOME);

    const from = call.said.length;
    await call.press("4");
    expect(call.said.slice(from)).toEqual([HOLD_ON, REPORT, WELCOME]);
    const held = pauses(call);
    expect(held.length).toBeGreaterThanOrEqual(1);
    expect(held.every((seconds) => seconds === 1)).toBe(true);
    // Every hold ends in a poll, and one more poll finds the weather.
    expect(polls(call)).toBe(held.length + 1);
    expect(call.transcript).toContainEqual({ type: "redirect", url: `${BASE}/incoming-call`, method: "POST" });
    expect(call.waitingFor).toBe("gather");
    expectAllRequestsAnswered(call);

    // The lookup saved the forecast in the call's session; the polls counted themselves there.
    expect(await storedData(store(), call.callSid)).toEqual({ weather: FORECAST, weatherPolls: held.length });
  });

  test("said instead of pressed ('the weather, please'): the same lookup, hold and report", async () => {
    const app = appWith(createFakeWeatherService({ delayMs: 2 * PAUSE_MS, forecast: FORECAST }));
    const call = await dial(app);
    await call.say("The weather, please.");
    expect(call.said).toEqual([WELCOME, HOLD_ON, REPORT, WELCOME]);
    expect(polls(call)).toBeGreaterThanOrEqual(2);
    expect((await storedData(store(), call.callSid))?.weather).toBe(FORECAST);
    expectAllRequestsAnswered(call);
  });

  test("the lookup failing -> the caller hears it is unavailable, then goodbye, and the app hangs up", async () => {
    const app = appWith(createFakeWeatherService({ delayMs: 2 * PAUSE_MS, fail: true }));
    const call = await dial(app);
    await call.press("4");
    expect(call.said).toEqual([WELCOME, HOLD_ON, UNAVAILABLE, GOODBYE]);
    expect(call.ended).toBe(true);
    expect(call.transcript.at(-1)).toEqual({ type: "hangup", by: "app" });
    // It gave up because of the error, long before the poll bound.
    expect(polls(call)).toBeLessThan(MAX_WEATHER_POLLS);
    expectAllRequestsAnswered(call);
    const data = await storedData(store(), call.callSid);
    expect(data?.weatherError).toBe("the weather service is not answering");
    expect(data?.weather).toBeUndefined();
  });

  test(`the lookup never finishing -> unavailable after ${MAX_WEATHER_POLLS} polls`, async () => {
    const call = await dial(appWith(hangingService));
    await call.press("4");
    expect(call.said).toEqual([WELCOME, HOLD_ON, UNAVAILABLE, GOODBYE]);
    expect(call.ended).toBe(true);
    expect(polls(call)).toBe(MAX_WEATHER_POLLS);
    // Every poll but the last held the caller one second.
    expect(pauses(call)).toEqual(Array<number>(MAX_WEATHER_POLLS - 1).fill(1));
    expect(await storedData(store(), call.callSid)).toEqual({ weatherPolls: MAX_WEATHER_POLLS });
  });

  test("the status callback deletes the call's data when the caller hangs up", async () => {
    const app = appWith(createFakeWeatherService({ delayMs: PAUSE_MS, forecast: FORECAST }));
    const call = await dial(app, { statusCallback: STATUS_CALLBACK_URI });
    await call.press("4");
    expect(call.said).toContain(REPORT);
    expect((await storedData(store(), call.callSid))?.weather).toBe(FORECAST);
    if (existsInBackend !== undefined) expect(await existsInBackend(call.callSid)).toBe(true);

    await call.hangUp();
    expect(call.transcript.at(-1)).toEqual({ type: "request", method: "POST", url: `${BASE}${STATUS_CALLBACK_URI}`, status: 204 });
    expect(await store().get(call.callSid)).toBeUndefined();
    if (existsInBackend !== undefined) expect(await existsInBackend(call.callSid)).toBe(false);
  });

  test("the status callback deletes the call's data when the app hangs up (weather unavailable)", async () => {
    const call = await dial(appWith(createFakeWeatherService({ delayMs: 0, fail: true })), { statusCallback: STATUS_CALLBACK_URI });
    await call.press("4");
    expect(call.said.slice(-2)).toEqual([UNAVAILABLE, GOODBYE]);
    expect(call.ended).toBe(true);
    expect(call.transcript.at(-1)).toMatchObject({ type: "request", url: `${BASE}${STATUS_CALLBACK_URI}`, status: 204 });
    expect(await store().get(call.callSid)).toBeUndefined();
    if (existsInBackend !== undefined) expect(await existsInBackend(call.callSid)).toBe(false);
  });

  test("asking twice in one call looks the weather up afresh: the first answer and poll count are forgotten", async () => {
    const call = await dial(appWith(numberedService()));
    await call.press("4");
    expect(call.said.slice(-2)).toEqual(["Here is the weather in Foo City today: forecast number 1.", WELCOME]);
    const firstPolls = polls(call);
    await call.press("4");
    expect(call.said.slice(-2)).toEqual(["Here is the weather in Foo City today: forecast number 2.", WELCOME]);
    // The second lookup held the caller again, counting its polls from zero.
    const secondPolls = polls(call) - firstPolls;
    expect(secondPolls).toBeGreaterThanOrEqual(2);
    expect(await storedData(store(), call.callSid)).toEqual({ weather: "forecast number 2", weatherPolls: secondPolls - 1 });
  });

  test("two callers at once each hear their own lookup's result; one hanging up leaves the other's data", async () => {
    const app = appWith(numberedService());
    const options = { statusCallback: STATUS_CALLBACK_URI };
    const calls = await Promise.all([dial(app, options), dial(app, options)]);
    await Promise.all(calls.map((c) => c.press("4")));

    /** The forecast this call was told. */
    const toldTo = (c: SimulatedCall): string | undefined => /^Here is the weather in Foo City today: (.*)\.$/.exec(c.said.find((s) => s.startsWith("Here is")) ?? "")?.[1];
    expect(calls.map(toldTo).sort()).toEqual(["forecast number 1", "forecast number 2"]);
    for (const c of calls) expect((await storedData(store(), c.callSid))?.weather).toBe(toldTo(c));

    const [first, second] = calls;
    await first.hangUp();
    expect(await store().get(first.callSid)).toBeUndefined();
    expect((await storedData(store(), second.callSid))?.weather).toBe(toldTo(second));
    await second.hangUp();
    expect(await store().get(second.callSid)).toBeUndefined();
  });

  test("the poll and status-callback routes check Twilio's signature like every route", async () => {
    const app = appWith(createFakeWeatherService({ delayMs: 0, forecast: FORECAST }));
    const call = await dial(app);
    await call.press("4");
    expect(call.said).toContain(REPORT);
    // Unsigned requests for the same call: refused, and the call's data stays.
    for (const uri of [WEATHER_POLL_URI, STATUS_CALLBACK_URI]) {
      await expect(
        simulateCall(app, { uri, baseUrl: BASE, callSid: call.callSid, params: { CallStatus: "completed" } }),
      ).rejects.toThrow(/answered HTTP 403/);
    }
    expect((await storedData(store(), call.callSid))?.weather).toBe(FORECAST);
  });
}

describe("the weather lookup on the MemoryStore", () => {
  const store = new MemoryStore();
  afterAll(() => store.close());
  weatherWalks(() => store);
});

describeWithRedis("the weather lookup on a RedisStore (real redis-server)", () => {
  let server: RedisServer;
  let store: RedisStore;
  const prefix = "foo-corp-weather:";

  beforeAll(async () => {
    server = await startRedisServer();
    store = new RedisStore({ url: server.url, prefix });
  });
  afterAll(async () => {
    await store.close();
    await server.stop();
  });

  // Asked of Redis itself, not through the store: does the call's hash exist?
  weatherWalks(
    () => store,
    async (callSid) => (await rawCommand(server.port, `EXISTS ${prefix}${callSid}`)) === ":1",
  );
});
