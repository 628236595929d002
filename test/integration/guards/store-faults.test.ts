// Store faults (issue 8, item 7): a real redis-server is killed (SIGKILL), paused (CLIENT PAUSE) or
// stopped (SIGSTOP) in the middle of calls. Requests that use the session must fail within the
// store's bound (RedisStore timeoutMs, 300 ms here; the request bound config.timeoutMs is 5 s, so a
// request that waited on it would fail the checks) through the error path or config.onError; states
// that never touch the session keep answering; nothing is left unhandled; the process stays up; and
// calls carry on once Redis is back. The phone tree is test/fixtures/store-faults-app, run in this
// process and as a separate Node process. Durations are hang checks with generous slack, not speed goals.
// STORE_FAULTS_REPORT=1 prints the durations measured.
import crypto from "node:crypto";
import path from "node:path";
import type { ErrorRequestHandler, Express } from "express";
import { createClient } from "redis";
import request from "supertest";
import twilio from "twilio";
import { RedisStore } from "../../../src";
import { simulateCall, type SimulatedCall } from "../../../src/testing";
import { APOLOGY, RETRY_PROMPT, STILL_HERE, storeFaultsApp, type CallData } from "../../fixtures/store-faults-app/app";
import { bundleEntry, runCleanup, startAppProcess, type AppProcess } from "../../helpers/app-process";
import { describeWithRedis, startRedisServer, type RedisServer } from "../../helpers/redis-server";
import { captureDebugLogs } from "../../helpers/log-capture";

jest.setTimeout(60_000);

const TOKEN = "store-faults-secret-8d1f0c2b7a4e";
/** The store's bound on one operation. */
const STORE_TIMEOUT_MS = 300;
/** Hang check: a request that waits on the store longer than its bound plus this fails the test. Far below config.timeoutMs (5 s). */
const SLACK_MS = 1700;
const LIMIT_MS = STORE_TIMEOUT_MS + SLACK_MS;
const FIXTURE = path.resolve(__dirname, "..", "..", "fixtures", "store-faults-app", "server.ts");

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const newCallSid = (): string => `CA${crypto.randomBytes(16).toString("hex")}`;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/** Figures for the report (printed with STORE_FAULTS_REPORT=1). */
const figures: Record<string, number[]> = {};
function note(name: string, ms: number): void {
  (figures[name] ??= []).push(Math.round(ms));
}
afterAll(() => {
  if (process.env.STORE_FAULTS_REPORT === undefined) return;
  const lines = Object.entries(figures).map(([name, values]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `${name}: n=${sorted.length} min=${sorted[0]} median=${sorted[Math.floor(sorted.length / 2)]} max=${sorted.at(-1)} ms`;
  });
  console.log(`store-fault durations\n${lines.join("\n")}`);
});

/** Library log lines (debug) and unhandled rejections, captured per test. */
const logs = captureDebugLogs();
let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeEach(() => {
  unhandled = [];
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
});

/** Waits until `check()` holds, polling; fails with `what` after `timeoutMs`. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A signed simulated call to `/health` (never touches the session): it must hear "Still here." at once. */
async function health(target: Express | string): Promise<number> {
  const { value: call, ms } = await timed(() => simulateCall(target, { uri: "/health", authToken: TOKEN }));
  expect(call.lastSaid).toBe(STILL_HERE);
  note("health (no session) while the store is down", ms);
  expect(ms).toBeLessThan(LIMIT_MS);
  return ms;
}

/** Presses `key`; returns how long the request(s) took. */
async function press(call: SimulatedCall, key: string): Promise<number> {
  const { ms } = await timed(() => call.press(key));
  return ms;
}

/** Presses `key` until the call is answered by the menu instead of the apology; resolves with the time it took. */
async function pressUntilRecovered(call: SimulatedCall, key: string, timeoutMs = 15_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    expect(await press(call, key)).toBeLessThan(LIMIT_MS);
    if (call.lastSaid !== RETRY_PROMPT) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`the call did not recover within ${timeoutMs} ms:\n${call.toString()}`);
    await sleep(20);
  }
}

const said = (call: SimulatedCall, since: number): string[] => call.said.slice(since);

async function redisPid(url: string): Promise<number> {
  const client = createClient({ url });
  await client.connect();
  try {
    const info = await client.info("server");
    return Number(/process_id:(\d+)/.exec(info)?.[1]);
  } finally {
    client.destroy();
  }
}

describeWithRedis("store faults: a real redis-server killed, paused or stopped mid-call (app in this process)", () => {
  let server: RedisServer;
  const stores: RedisStore[] = [];
  const store = (): RedisStore => {
    const made = new RedisStore({ url: server.url, timeoutMs: STORE_TIMEOUT_MS });
    stores.push(made);
    return made;
  };
  /** The call's data as a separate reader sees it in Redis. */
  async function readCall(reader: RedisStore, callSid: string): Promise<CallData | undefined> {
    const stored = await reader.get(callSid);
    if (stored === undefined) return undefined;
    return Object.fromEntries(Object.entries(stored.fields).map(([key, text]) => [key, JSON.parse(text) as unknown]));
  }

  beforeEach(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await server.stop();
  });

  test("SIGKILL mid-call: the caller hears the apology (onError) within the store's bound, /health keeps answering; after restart the call goes on and new data is readable (signed walk)", async () => {
    const seen: { error: unknown; stateName: string | undefined }[] = [];
    const app = storeFaultsApp({
      store: store(),
      authToken: TOKEN,
      apology: true,
      onErrorSeen: (error, stateName) => seen.push({ error, stateName }),
    });
    const call = await simulateCall(app, { uri: "/incoming-call", authToken: TOKEN });
    expect(call.lastSaid).toBe("No keys yet.");
    await call.press("1");
    await call.press("2");
    expect(call.lastSaid).toBe("You pressed 1 2.");
    await health(app);

    await server.kill();
    for (const key of "345678") {
      const before = call.said.length;
      const ms = await press(call, key);
      note("session request while Redis is killed (in-process, onError)", ms);
      expect(ms).toBeLessThan(LIMIT_MS);
      expect(said(call, before)).toEqual([APOLOGY, RETRY_PROMPT]);
      expect(call.waitingFor).toBe("gather");
      await health(app);
    }
    expect(seen).toHaveLength(6);
    for (const { error, stateName } of seen) {
      expect(error).toBeInstanceOf(Error);
      expect(stateName).toBe("MENU");
    }
    expect(call.transcript.filter((e) => e.type === "request" && e.status !== 200)).toEqual([]);

    await server.restart(); // same port, empty: what the call wrote before is gone with the killed server
    const recovery = await pressUntilRecovered(call, "7");
    note("recovery after restart (in-process)", recovery);
    expect(call.lastSaid).toBe("You pressed 7.");
    await call.press("8");
    expect(call.lastSaid).toBe("You pressed 7 8.");
    expect(await readCall(store(), call.callSid)).toEqual({ digits: ["7", "8"] });
    await call.silence();
    expect(call.ended).toBe(true);
    expect(unhandled).toEqual([]);
  });

  test("SIGKILL without onError: session requests go to the error middleware (500) within the bound; /health answers 200 throughout; then they recover", async () => {
    const app = storeFaultsApp({ store: store(), authToken: TOKEN });
    const errors: unknown[] = [];
    const handler: ErrorRequestHandler = (err, _req, res, _next) => {
      errors.push(err);
      res.status(500).type("text/plain").send("handled");
    };
    app.use(handler);
    const callSid = newCallSid();
    const post = (route: string, params: Record<string, string> = {}) => {
      const all = { CallSid: callSid, From: "+15551230007", ...params };
      return request(app)
        .post(route)
        .set("Host", "ivr.test")
        .set("X-Twilio-Signature", twilio.getExpectedTwilioSignature(TOKEN, `http://ivr.test${route}`, all))
        .type("form")
        .send(all);
    };
    expect((await post("/incoming-call")).text).toContain("No keys yet.");

    await server.kill();
    for (let i = 0; i < 4; i++) {
      for (const [route, params] of [["/incoming-call", {}], ["/menu-choice", { Digits: "5" }]] as const) {
        const { value: res, ms } = await timed(async () => post(route, params));
        note("session request while Redis is killed (in-process, error middleware)", ms);
        expect(res.status).toBe(500);
        expect(res.text).toBe("handled");
        expect(ms).toBeLessThan(LIMIT_MS);
      }
      const { value: ok, ms } = await timed(async () => post("/health"));
      expect(ok.status).toBe(200);
      expect(ok.text).toContain(STILL_HERE);
      expect(ms).toBeLessThan(LIMIT_MS);
    }
    expect(errors).toHaveLength(8);
    for (const error of errors) expect(error).toBeInstanceOf(Error);

    await server.restart();
    await until("a session request to succeed again", async () => (await post("/menu-choice", { Digits: "9" })).status === 200);
    const res = await post("/menu-choice", { Digits: "3" });
    expect(res.status).toBe(200);
    expect(res.text).toContain("You pressed 9 3.");
    expect(unhandled).toEqual([]);
  });

  test("SIGKILL under load: 20 concurrent calls, every request answered (menu or apology) within the bound, and every call recovers", async () => {
    const app = storeFaultsApp({ store: store(), authToken: TOKEN, apology: true });
    const calls = await Promise.all(Array.from({ length: 20 }, () => simulateCall(app, { uri: "/incoming-call", authToken: TOKEN })));
    let phase: "up" | "down" | "back" = "up";
    const durations: number[] = [];
    const recovered = new Set<SimulatedCall>();
    const walk = async (call: SimulatedCall): Promise<void> => {
      while (!recovered.has(call)) {
        const before = call.said.length;
        const phaseBefore = phase;
        const ms = await press(call, "1");
        const phaseAfter = phase;
        durations.push(ms);
        const heard = said(call, before);
        if (heard[0] === APOLOGY) {
          expect(heard).toEqual([APOLOGY, RETRY_PROMPT]);
          // Never an apology for a request that ended before Redis was killed.
          expect(phaseAfter).not.toBe("up");
        } else {
          expect(heard).toHaveLength(1);
          expect(heard[0]).toMatch(/^You pressed( 1)+\.$/);
          if (phaseBefore === "back") recovered.add(call);
        }
        await sleep(5);
      }
    };
    const walking = Promise.all(calls.map(walk));
    walking.catch(() => undefined); // a failure is reported by the await below, not as an unhandled rejection meanwhile
    await sleep(300);
    phase = "down";
    await server.kill();
    await sleep(1000);
    await server.restart();
    phase = "back";
    await walking;
    for (const ms of durations) note("request under load, Redis killed mid-way (20 calls)", ms);
    expect(Math.max(...durations)).toBeLessThan(LIMIT_MS);
    expect(recovered.size).toBe(20);
    expect(unhandled).toEqual([]);
  });

  test("SIGKILL while a background trigger writes: the failure is logged with the state's name, never an unhandled rejection", async () => {
    const reader = store();
    const app = storeFaultsApp({ store: store(), authToken: TOKEN, apology: true });
    const call = await simulateCall(app, { uri: "/ticker", authToken: TOKEN });
    expect(call.lastSaid).toBe("Ticking.");
    // The background loop is writing.
    await until("the background loop to write", async () => ((await readCall(reader, call.callSid))?.ticks ?? 0) >= 3);
    const killedAt = performance.now();
    await server.kill();
    const failed = (): boolean => logs().some((line) => line.includes('backgroundTrigger of state "TICKER" failed'));
    await until("the background failure to be logged", failed, 5000);
    note("background write failure logged after the kill", performance.now() - killedAt);
    expect(performance.now() - killedAt).toBeLessThan(LIMIT_MS);
    // Give a late rejection time to surface as unhandled.
    await sleep(200);
    expect(unhandled).toEqual([]);
    await health(app);
  });

  test("Redis paused (CLIENT PAUSE via another client): session requests are bounded the same way; the call goes on, with its data, after the pause", async () => {
    const seen: unknown[] = [];
    const app = storeFaultsApp({ store: store(), authToken: TOKEN, apology: true, onErrorSeen: (error) => seen.push(error) });
    const call = await simulateCall(app, { uri: "/incoming-call", authToken: TOKEN });
    await call.press("1");
    expect(call.lastSaid).toBe("You pressed 1.");
    const admin = createClient({ url: server.url });
    await admin.connect();
    try {
      const pausedAt = performance.now();
      await admin.sendCommand(["CLIENT", "PAUSE", "3000", "ALL"]);
      for (const key of "234") {
        const before = call.said.length;
        const ms = await press(call, key);
        note("session request while Redis is paused", ms);
        // The store gave up after its own bound, not before and not at the request's 5 s.
        expect(ms).toBeGreaterThanOrEqual(STORE_TIMEOUT_MS - 50);
        expect(ms).toBeLessThan(LIMIT_MS);
        expect(said(call, before)).toEqual([APOLOGY, RETRY_PROMPT]);
        await health(app);
      }
      expect(performance.now() - pausedAt).toBeLessThan(3000); // all of that happened while paused
      expect(seen.map((e) => (e as Error).message)).toEqual(Array(3).fill(`RedisStore: no answer from Redis within ${STORE_TIMEOUT_MS} ms`));
      await admin.sendCommand(["CLIENT", "UNPAUSE"]);
      await pressUntilRecovered(call, "5");
      // The data written before the pause is there; nothing the timed-out presses tried was written.
      expect(call.lastSaid).toBe("You pressed 1 5.");
    } finally {
      admin.destroy();
    }
    expect(unhandled).toEqual([]);
  });

  test("redis-server stopped (SIGSTOP) then continued (SIGCONT): bounded the same way, then the call goes on with its data", async () => {
    const app = storeFaultsApp({ store: store(), authToken: TOKEN, apology: true });
    const call = await simulateCall(app, { uri: "/incoming-call", authToken: TOKEN });
    await call.press("1");
    const pid = await redisPid(server.url);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGSTOP");
    try {
      for (const key of "234") {
        const before = call.said.length;
        const ms = await press(call, key);
        note("session request while redis-server is SIGSTOPped", ms);
        expect(ms).toBeGreaterThanOrEqual(STORE_TIMEOUT_MS - 50);
        expect(ms).toBeLessThan(LIMIT_MS);
        expect(said(call, before)).toEqual([APOLOGY, RETRY_PROMPT]);
        await health(app);
      }
    } finally {
      process.kill(pid, "SIGCONT");
    }
    const recovery = await pressUntilRecovered(call, "5");
    note("recovery after SIGCONT", recovery);
    expect(call.lastSaid).toBe("You pressed 1 5.");
    expect(unhandled).toEqual([]);
  });
});

describeWithRedis("store faults: the app as a separate Node process, redis-server killed mid-call", () => {
  let redis: RedisServer;
  let app: AppProcess | undefined;
  const cleanup: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    cleanup.push(() => redis.stop());
    const bundle = await bundleEntry(FIXTURE, "store-faults-app");
    cleanup.push(() => {
      bundle.remove();
    });
    app = await startAppProcess(bundle.file, {
      name: "store-faults",
      env: {
        REDIS_URL: redis.url,
        STORE_TIMEOUT_MS: String(STORE_TIMEOUT_MS),
        TWILIO_AUTH_TOKEN: TOKEN,
        PORT: "0",
        DEBUG: "twilio-interactive-flow:error",
      },
    });
    const started = app;
    cleanup.push(() => started.stop());
  });

  afterAll(() => runCleanup(cleanup));

  test("the process stays up and answers /health; calls hear the apology within the bound; a background write's failure is only logged; calls recover after restart", async () => {
    const child = app!;
    const reader = new RedisStore({ url: redis.url, timeoutMs: 1000 });
    cleanup.push(() => reader.close());
    const call = await simulateCall(child.url, { uri: "/incoming-call", authToken: TOKEN });
    await call.press("1");
    await call.press("2");
    expect(call.lastSaid).toBe("You pressed 1 2.");
    const ticking = await simulateCall(child.url, { uri: "/ticker", authToken: TOKEN });
    await until("the background loop to write", async () => Number((await reader.get(ticking.callSid))?.fields.ticks ?? 0) >= 3);

    await redis.kill();
    for (const key of "3456") {
      const before = call.said.length;
      const ms = await press(call, key);
      note("session request while Redis is killed (app process)", ms);
      expect(ms).toBeLessThan(LIMIT_MS);
      expect(said(call, before)).toEqual([APOLOGY, RETRY_PROMPT]);
      await health(child.url);
      expect(child.exited).toBe(false);
    }
    await until("the background failure in the process's log", () => child.stderr().includes('backgroundTrigger of state "TICKER" failed'), 5000);
    // Node 20 ends a process on an unhandled rejection: still running, and nothing of the kind logged.
    await sleep(200);
    expect(child.exited).toBe(false);
    expect(child.stderr()).not.toMatch(/unhandled/i);
    await health(child.url);

    await redis.restart();
    const recovery = await pressUntilRecovered(call, "7");
    note("recovery after restart (app process)", recovery);
    expect(call.lastSaid).toBe("You pressed 7.");
    await call.press("8");
    expect(call.lastSaid).toBe("You pressed 7 8.");
    // Read with a new client: the reader's own may still be waiting out its reconnect delay (it fails fast meanwhile: "The client is offline").
    const fresh = new RedisStore({ url: redis.url, timeoutMs: 1000 });
    cleanup.push(() => fresh.close());
    const stored = await fresh.get(call.callSid);
    expect(stored?.fields).toEqual({ digits: JSON.stringify(["7", "8"]) });
    expect(child.exited).toBe(false);
  });
});
