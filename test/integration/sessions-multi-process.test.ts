// Call sessions across processes: the phone tree of test/fixtures/session-app runs as separate Node
// processes (instances A and B, like two servers behind a load balancer), each with its own
// `new RedisStore({ url })` on ONE real redis-server. Requests are signed as Twilio signs them and
// validated by the apps (`twilio.validate: true`). A round-robin HTTP proxy in this process plays
// the load balancer: Twilio (the simulator) calls the proxy's URL, so that is the URL signatures
// cover, and the apps check them against it through `urlFor.host` (the proxy rewrites Host).
// What the calls leave in Redis is read back with a RedisStore of this process.
import crypto from "node:crypto";
import path from "node:path";
import twilio from "twilio";
import { RedisStore } from "../../src";
import { simulateCall } from "../../src/testing";
import type { CallData } from "../fixtures/session-app/server";
import { bundleEntry, postForm, runCleanup, startAppProcess, stderrOf, type AppProcess } from "../helpers/app-process";
import { instanceName, startRoundRobinProxy as startProxy, type RoundRobinProxy } from "../helpers/round-robin-proxy";
import { describeWithRedis, startRedisServer } from "../helpers/redis-server";

// Generous: processes start slowly on a busy machine (the file takes a few seconds on an idle one).
jest.setTimeout(30_000);

const FIXTURE = path.resolve(__dirname, "..", "fixtures", "session-app", "server.ts");
const TOKEN = "multi-process-secret-3c7e9a1f5b2d";
const CALLER = "+15551230001";

const newCallSid = (): string => `CA${crypto.randomBytes(16).toString("hex")}`;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describeWithRedis("two app processes sharing one real Redis", () => {
  let proxy: RoundRobinProxy;
  let reader: RedisStore;
  let a: AppProcess;
  let b: AppProcess;
  let bundled: string;
  let redisUrl: string;
  /** Undone in reverse order in afterAll, whatever failed. */
  const cleanup: (() => Promise<void> | void)[] = [];
  /** Every process started, restarted ones included: all are stopped in afterAll. */
  const processes: AppProcess[] = [];

  async function start(name: string, env: Record<string, string> = {}): Promise<AppProcess> {
    const started = await startAppProcess(bundled, {
      name,
      env: {
        INSTANCE: name,
        PUBLIC_HOST: proxy.host,
        TWILIO_AUTH_TOKEN: TOKEN,
        REDIS_URL: redisUrl,
        PORT: "0",
        // Library errors (a failed backgroundTrigger, a session conflict) reach stderr.
        DEBUG: "twilio-interactive-flow:error",
        ...env,
      },
    });
    processes.push(started);
    return started;
  }

  /** The call's data in Redis, decoded; undefined when the call has none. */
  async function readCall(callSid: string): Promise<CallData | undefined> {
    const stored = await reader.get(callSid);
    if (stored === undefined) return undefined;
    return Object.fromEntries(Object.entries(stored.fields).map(([key, text]) => [key, JSON.parse(text) as unknown])) as CallData;
  }

  /** Reads the call until `done(data)` holds (at most `timeoutMs`), then returns the data. */
  async function pollCall(callSid: string, done: (data: CallData) => boolean, timeoutMs = 10_000): Promise<CallData> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const data = (await readCall(callSid)) ?? {};
      if (done(data) || Date.now() > deadline) return data;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /**
   * POSTs a webhook straight to an instance, signed (with the twilio package's own function) for
   * the URL Twilio would call: the public one, through the proxy.
   */
  function post(
    instance: AppProcess,
    route: string,
    params: Record<string, string>,
    signature = twilio.getExpectedTwilioSignature(TOKEN, `http://${proxy.host}${route}`, params),
  ): Promise<{ status: number; body: string; servedBy: string }> {
    return postForm(instance, route, params, signature);
  }

  const webhookParams = (callSid: string): Record<string, string> => ({
    CallSid: callSid,
    AccountSid: "AC0123456789abcdef0123456789abcdef",
    From: CALLER,
    To: "+15005550001",
    CallStatus: "in-progress",
    Direction: "inbound",
  });

  beforeAll(async () => {
    // One at a time, each undone in afterAll as soon as it exists (they take milliseconds).
    const redis = await startRedisServer();
    cleanup.push(() => redis.stop());
    redisUrl = redis.url;
    proxy = await startProxy();
    cleanup.push(() => proxy.close());
    const bundle = await bundleEntry(FIXTURE, "session-app");
    cleanup.push(() => {
      bundle.remove();
    });
    bundled = bundle.file;
    reader = new RedisStore({ url: redis.url });
    cleanup.push(() => reader.close());
    cleanup.push(() => Promise.all(processes.map((p) => p.stop())).then(() => undefined));
    [a, b] = await Promise.all([start("A"), start("B")]);
  });

  afterAll(() => runCleanup(cleanup));

  test("a call whose webhooks alternate between A and B keeps all its data; the status callback deletes it", async () => {
    proxy.route(a, b);
    const call = await simulateCall(proxy.url, { uri: "/incoming-call", authToken: TOKEN, from: CALLER, statusCallback: "/call-status" });
    expect(call.lastSaid).toBe("Instance A: no keys yet.");

    const heard: string[] = [];
    for (const digit of "123456") {
      await call.press(digit);
      heard.push(call.lastSaid ?? "");
    }
    // Each press is read-modify-written on one instance, on top of what the other one wrote.
    expect(heard).toEqual([
      "Instance B: you pressed 1.",
      "Instance A: you pressed 1 2.",
      "Instance B: you pressed 1 2 3.",
      "Instance A: you pressed 1 2 3 4.",
      "Instance B: you pressed 1 2 3 4 5.",
      "Instance A: you pressed 1 2 3 4 5 6.",
    ]);
    expect(await readCall(call.callSid)).toEqual({
      caller: CALLER,
      digits: ["1", "2", "3", "4", "5", "6"],
      writers: ["B", "A", "B", "A", "B", "A"],
    });

    // B reads the caller A stored at the first webhook, and every key.
    await call.press("*");
    expect(call.lastSaid).toBe(`Caller ${CALLER} pressed 1 2 3 4 5 6, written by B A B A B A.`);
    expect(call.ended).toBe(true);
    // The completed status callback (answered by A) deleted the call's data.
    expect(await readCall(call.callSid)).toBeUndefined();
    expect(proxy.log.map((r) => [r.path, r.status, instanceName(r.servedBy)])).toEqual([
      ["/incoming-call", 200, "A"],
      ...range(6).map((i) => ["/menu-choice", 200, i % 2 === 0 ? "B" : "A"]),
      ["/menu-choice", 200, "B"],
      ["/call-status", 204, "A"],
    ]);
  });

  test("control: with a MemoryStore in each process the same call forgets what the other instance wrote", async () => {
    const [memoryA, memoryB] = await Promise.all([start("A", { STORE: "memory" }), start("B", { STORE: "memory" })]);
    try {
      proxy.route(memoryA, memoryB);
      const call = await simulateCall(proxy.url, { uri: "/incoming-call", authToken: TOKEN, from: CALLER });
      await call.press("1"); // B
      await call.press("2"); // A: never saw the 1
      expect(call.lastSaid).toBe("Instance A: you pressed 2.");
      await call.press("*"); // B: never saw the caller or the 2
      expect(call.lastSaid).toBe("Caller unknown pressed 1, written by B.");
      expect(await readCall(call.callSid)).toBeUndefined();
    } finally {
      await Promise.all([memoryA.stop(), memoryB.stop()]);
    }
  });

  test("instance A killed (SIGKILL) mid-call and started again continues the call with everything it wrote", async () => {
    proxy.route(a);
    const call = await simulateCall(proxy.url, { uri: "/incoming-call", authToken: TOKEN, from: CALLER });
    await call.press("4");
    await call.press("2");
    expect(call.lastSaid).toBe("Instance A: you pressed 4 2.");

    const crashed = a;
    await crashed.kill("SIGKILL");
    expect(crashed.exited).toBe(true);
    a = await start("A", { PORT: String(crashed.port) });
    expect(a.pid).not.toBe(crashed.pid);

    await call.press("7");
    expect(call.lastSaid).toBe("Instance A: you pressed 4 2 7.");
    await call.press("*");
    expect(call.lastSaid).toBe(`Caller ${CALLER} pressed 4 2 7, written by A A A.`);
    const before = `A:${crashed.pid}`;
    const after = `A:${a.pid}`;
    expect(proxy.log.map((r) => [r.path, r.status, r.servedBy])).toEqual([
      ["/incoming-call", 200, before],
      ["/menu-choice", 200, before],
      ["/menu-choice", 200, before],
      ["/menu-choice", 200, after],
      ["/menu-choice", 200, after],
    ]);
  });

  test("100 concurrent requests on both instances, each updating a counter and starting a background update, lose nothing", async () => {
    const callSid = newCallSid();
    // Validation is on: a request with a wrong signature is refused and counts nothing.
    const forged = await post(a, "/bump", { ...webhookParams(callSid), Seq: "100" }, "not-a-signature");
    expect(forged.status).toBe(403);

    const answers = await Promise.all(range(100).map((i) => post(i % 2 === 0 ? a : b, "/bump", { ...webhookParams(callSid), Seq: String(i) })));
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(answers.filter((answer) => instanceName(answer.servedBy) === "A")).toHaveLength(50);
    expect(answers.filter((answer) => instanceName(answer.servedBy) === "B")).toHaveLength(50);
    // Each update resolved with the data it wrote: every count from 1 to 100 exactly once.
    const counts = answers.map((answer) => Number(/Request number (\d+)\./.exec(answer.body)?.[1])).sort((x, y) => x - y);
    expect(counts).toEqual(range(100).map((i) => i + 1));

    // The background updates end at random times, many after their answer: wait for all of them.
    const data = await pollCall(callSid, (d) => (d.background?.length ?? 0) >= 100);
    expect({ requests: data.requests, background: [...(data.background ?? [])].sort((x, y) => x - y) }).toEqual({ requests: 100, background: range(100) });
    expect(stderrOf(a, b)).not.toMatch(/twilio-interactive-flow:error/);
  });

  test("concurrent sets of different keys from both instances are all kept, also while updates rewrite the call", async () => {
    const callSid = newCallSid();
    const keys = range(60).map((i) => `k${String(i).padStart(2, "0")}`);
    const sets = keys.map((key, i) => () => post(i % 2 === 0 ? a : b, "/remember", { ...webhookParams(callSid), Key: key, Value: `value of ${key}` }));
    // Whole-data updates racing with the sets: each rewrites the call from what it read.
    const bumps = range(40).map((i) => () => post(i % 2 === 0 ? b : a, "/bump", { ...webhookParams(callSid), Seq: String(i) }));
    const mixed = [...sets, ...bumps].sort(() => Math.random() - 0.5);
    const answers = await Promise.all(mixed.map((send) => send()));
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);

    const data = await pollCall(callSid, (d) => (d.background?.length ?? 0) >= 40);
    expect(data).toEqual({
      ...Object.fromEntries(keys.map((key) => [key, `value of ${key}`])),
      requests: 40,
      background: expect.arrayContaining(range(40)) as unknown,
    });
    expect(data.background).toHaveLength(40);
    expect(stderrOf(a, b)).not.toMatch(/twilio-interactive-flow:error/);
  });
});
