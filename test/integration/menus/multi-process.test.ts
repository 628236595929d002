// A menu across instances: the phone tree of test/fixtures/menu-app runs as two separate Node
// processes (instances A and B) behind a round-robin HTTP proxy in this process, so the requests of
// one call alternate between them. The attempt travels in the answer URL (signed by Twilio: the
// simulator signs every request, the apps validate), so each instance must count attempts right
// without any shared state: with sessions off, and with sessions on in one real redis-server (where
// the menu must store nothing of its own).
import crypto from "node:crypto";
import path from "node:path";
import twilio from "twilio";
import { RedisStore } from "../../../src";
import { simulateCall, type SimulatedCall } from "../../../src/testing";
import type { MenuCallData } from "../../fixtures/menu-app/server";
import { bundleEntry, postForm as post, runCleanup, startAppProcess, stderrOf, type AppProcess } from "../../helpers/app-process";
import { instanceName, startRoundRobinProxy as startProxy, type RoundRobinProxy } from "../../helpers/round-robin-proxy";
import { describeWithRedis, startRedisServer } from "../../helpers/redis-server";

// Generous: processes start slowly on a busy machine.
jest.setTimeout(30_000);

const FIXTURE = path.resolve(__dirname, "..", "..", "fixtures", "menu-app", "server.ts");
const TOKEN = "menu-multi-process-secret-8d1f0c2b";
const CALLER = "+15551230042";

/** What the caller heard per step: the Says of each answer, grouped between caller actions. */
function heardSince(call: SimulatedCall, from: number): string[] {
  return call.transcript.slice(from).flatMap((e) => (e.type === "say" ? [e.text] : []));
}

const prompt = (instance: string, attempt: number): string => `Instance ${instance}, attempt ${attempt}: press 1 for sales or 2 for support.`;

describe("a menu on two app processes behind a round-robin proxy", () => {
  let proxy: RoundRobinProxy;
  let bundled: string;
  const cleanup: (() => Promise<void> | void)[] = [];
  const processes: AppProcess[] = [];

  async function start(name: string, env: Record<string, string> = {}): Promise<AppProcess> {
    const started = await startAppProcess(bundled, {
      name,
      env: { INSTANCE: name, PUBLIC_HOST: proxy.host, TWILIO_AUTH_TOKEN: TOKEN, PORT: "0", DEBUG: "twilio-interactive-flow:error", REDIS_URL: "", ...env },
    });
    processes.push(started);
    return started;
  }

  /** The proxy's log as this file reads it: path and query, status, the instance's name. */
  const forwarded = (): { url: string; status: number; instance: string }[] =>
    proxy.log.map((r) => ({ url: r.path, status: r.status, instance: instanceName(r.servedBy) }));

  beforeAll(async () => {
    proxy = await startProxy();
    cleanup.push(() => proxy.close());
    const bundle = await bundleEntry(FIXTURE, "menu-app");
    cleanup.push(() => {
      bundle.remove();
    });
    bundled = bundle.file;
    cleanup.push(() => Promise.all(processes.map((p) => p.stop())).then(() => undefined));
  });

  afterAll(() => runCleanup(cleanup));

  /**
   * Wrong key, silence, wrong key, with the requests alternating A, B, A, B: each instance renders
   * the attempt after the one the other instance rendered, and B fails the menu after 3 attempts.
   */
  async function wrongSilenceWrong(a: AppProcess, b: AppProcess, suffix = ""): Promise<SimulatedCall> {
    proxy.route(a, b);
    const call = await simulateCall(proxy.url, { uri: "/incoming-call", authToken: TOKEN, from: CALLER });
    expect(call.said).toEqual([prompt("A", 1)]);

    let mark = call.transcript.length;
    await call.press("9"); // B answers attempt 1
    expect(heardSince(call, mark)).toEqual(["Instance B: that is not a choice.", prompt("B", 2)]);

    mark = call.transcript.length;
    await call.silence(); // the Redirect: A answers attempt 2
    expect(heardSince(call, mark)).toEqual(["Instance A: I heard nothing.", prompt("A", 3)]);
    expect(call.ended).toBe(false);

    mark = call.transcript.length;
    await call.press("8"); // B answers attempt 3: the last
    expect(heardSince(call, mark)).toEqual([`Failure, decided by instance B after keys 8.${suffix}`]);
    expect(call.ended).toBe(true);

    expect(forwarded()).toEqual([
      { url: "/incoming-call", status: 200, instance: "A" },
      { url: "/main-menu?attempt=1", status: 200, instance: "B" },
      { url: "/main-menu?attempt=2", status: 200, instance: "A" },
      { url: "/main-menu?attempt=3", status: 200, instance: "B" },
    ]);
    expect(call.said.filter((text) => / attempt \d: press 1/.test(text))).toHaveLength(3);
    return call;
  }

  describe("sessions off", () => {
    let a: AppProcess;
    let b: AppProcess;

    beforeAll(async () => {
      [a, b] = await Promise.all([start("A"), start("B")]);
    });

    test("tries 3: wrong, silence, wrong -> onFailure exactly after the third attempt, each attempt's message from the instance that answered", async () => {
      await wrongSilenceWrong(a, b);
      expect(stderrOf(a, b)).not.toMatch(/twilio-interactive-flow:error/);
    });

    test("B first: a wrong sentence on A, then a choice said on B at attempt 2", async () => {
      proxy.route(b, a);
      const call = await simulateCall(proxy.url, { uri: "/incoming-call", authToken: TOKEN, from: CALLER });
      await call.say("Uh, can I talk to a person?");
      await call.say("SUPPORT, please.");
      expect(call.said).toEqual([
        prompt("B", 1),
        "Instance A: that is not a choice.",
        prompt("A", 2),
        'Support, decided by instance B after "SUPPORT, please.".',
      ]);
      expect(forwarded().map((r) => [r.url, r.instance])).toEqual([
        ["/incoming-call", "B"],
        ["/main-menu?attempt=1", "A"],
        ["/main-menu?attempt=2", "B"],
      ]);
    });

    test("an answer signed for attempt 1 but sent for attempt 3 is refused (403) by either instance; as signed, it is accepted", async () => {
      const params = { CallSid: `CA${crypto.randomBytes(16).toString("hex")}`, AccountSid: "AC0123456789abcdef0123456789abcdef", From: CALLER, Digits: "7" };
      // Signed as Twilio signs the URL it calls: the public one, through the proxy.
      const signature = twilio.getExpectedTwilioSignature(TOKEN, `http://${proxy.host}/main-menu?attempt=1`, params);
      for (const instance of [a, b]) {
        const forged = await post(instance, "/main-menu?attempt=3", params, signature);
        expect({ instance: instance.name, status: forged.status }).toEqual({ instance: instance.name, status: 403 });
        expect(forged.body).not.toContain("Failure");
        const genuine = await post(instance, "/main-menu?attempt=1", params, signature);
        expect(genuine.status).toBe(200);
        expect(genuine.body).toContain(`<Say>Instance ${instance.name}: that is not a choice.</Say>`);
        expect(genuine.body).toContain('action="/main-menu?attempt=2"');
      }
    });
  });

  describeWithRedis("Redis sessions on", () => {
    let a: AppProcess;
    let b: AppProcess;
    let reader: RedisStore;

    beforeAll(async () => {
      const redis = await startRedisServer();
      cleanup.push(() => redis.stop());
      reader = new RedisStore({ url: redis.url });
      cleanup.push(() => reader.close());
      [a, b] = await Promise.all([start("A", { REDIS_URL: redis.url }), start("B", { REDIS_URL: redis.url })]);
    });

    async function readCall(callSid: string): Promise<MenuCallData | undefined> {
      const stored = await reader.get(callSid);
      if (stored === undefined) return undefined;
      return Object.fromEntries(Object.entries(stored.fields).map(([key, text]) => [key, JSON.parse(text) as unknown]));
    }

    test("tries 3: wrong, silence, wrong -> onFailure exactly after the third attempt; the session (written by A) is read by B; the menu stores nothing", async () => {
      const call = await wrongSilenceWrong(a, b, ` Caller ${CALLER}.`);
      // Only what the tree's own functions wrote: no attempt counter of the menu's.
      expect(await readCall(call.callSid)).toEqual({ caller: CALLER, decidedBy: ["B"] });
      expect(stderrOf(a, b)).not.toMatch(/twilio-interactive-flow:error/);
    });

    test("a choice by key on the second attempt, answered by the other instance", async () => {
      proxy.route(a, b);
      const call = await simulateCall(proxy.url, { uri: "/incoming-call", authToken: TOKEN, from: CALLER, callSid: `CA${crypto.randomBytes(16).toString("hex")}` });
      await call.silence(); // B
      await call.press("1"); // A
      expect(call.said).toEqual([prompt("A", 1), "Instance B: I heard nothing.", prompt("B", 2), `Sales, decided by instance A after keys 1. Caller ${CALLER}.`]);
      expect(await readCall(call.callSid)).toEqual({ caller: CALLER, decidedBy: ["A"] });
    });
  });
});
