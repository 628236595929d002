// A menu across instances: the phone tree of test/fixtures/menu-app runs as two separate Node
// processes (instances A and B) behind a round-robin HTTP proxy in this process, so the requests of
// one call alternate between them. The attempt travels in the answer URL (signed by Twilio: the
// simulator signs every request, the apps validate), so each instance must count attempts right
// without any shared state: with sessions off, and with sessions on in one real redis-server (where
// the menu must store nothing of its own).
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import twilio from "twilio";
import { RedisStore } from "../../../src";
import { simulateCall, type SimulatedCall } from "../../../src/testing";
import type { MenuCallData } from "../../fixtures/menu-app/server";
import { bundleEntry, startAppProcess, type AppProcess } from "../../helpers/app-process";
import { describeWithRedis, startRedisServer } from "../../helpers/redis-server";

// Generous: processes start slowly on a busy machine.
jest.setTimeout(30_000);

const FIXTURE = path.resolve(__dirname, "..", "..", "fixtures", "menu-app", "server.ts");
const TOKEN = "menu-multi-process-secret-8d1f0c2b";
const CALLER = "+15551230042";

/** One request the proxy forwarded: path and query, the answer's status, and the instance that served it. */
interface Forwarded {
  url: string;
  status: number;
  instance: string;
}

interface RoundRobinProxy {
  host: string;
  url: string;
  log: Forwarded[];
  /** Sends the following requests to these instances in turn, starting with the first; clears the log. */
  route(...targets: AppProcess[]): void;
  close(): Promise<void>;
}

/** A load balancer: each request to the next instance in turn, with the instance's Host header, no connection reuse. */
async function startProxy(): Promise<RoundRobinProxy> {
  let targets: AppProcess[] = [];
  let next = 0;
  const log: Forwarded[] = [];
  const server = http.createServer((req, res) => {
    const target = targets[next++ % targets.length];
    if (target === undefined) {
      res.writeHead(503).end("no instance");
      return;
    }
    const forwarded = http.request(
      { host: "127.0.0.1", port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${target.port}` }, agent: false },
      (answer) => {
        log.push({ url: req.url ?? "", status: answer.statusCode ?? 0, instance: String(answer.headers["x-instance"]).split(":")[0] ?? "" });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on("error", (err) => {
      log.push({ url: req.url ?? "", status: 502, instance: `${target.name} (down: ${err.message})` });
      res.writeHead(502).end();
    });
    req.pipe(forwarded);
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    url: `http://${host}`,
    log,
    route: (...instances) => {
      targets = instances;
      next = 0;
      log.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/** What the caller heard per step: the Says of each answer, grouped between caller actions. */
function heardSince(call: SimulatedCall, from: number): string[] {
  return call.transcript.slice(from).flatMap((e) => (e.type === "say" ? [e.text] : []));
}

/** POSTs a form straight to an instance (not through the proxy) with the given signature. */
function post(instance: AppProcess, route: string, params: Record<string, string>, signature: string): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams(params).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: instance.port,
        method: "POST",
        path: route,
        agent: false,
        headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body), "x-twilio-signature": signature },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body: text });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
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

  const stderrOf = (...instances: AppProcess[]): string => instances.map((p) => `--- ${p.name} (pid ${p.pid}) stderr ---\n${p.stderr()}`).join("\n");

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

  afterAll(async () => {
    for (const undo of cleanup.reverse()) {
      try {
        await undo();
      } catch (err) {
        console.error("cleanup failed:", err);
      }
    }
  });

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

    expect(proxy.log).toEqual([
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
      expect(proxy.log.map((r) => [r.url, r.instance])).toEqual([
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
