// RedisStore's own behaviour, beyond the generic store contract (test/stores/redis-store.test.ts):
// what it writes in Redis (keys, hash layout, TTLs), which client it closes, its option checks,
// and how it fails when Redis is down, refuses connections or does not answer. Always against a
// real redis-server, inspected with a separate node-redis client.
import { createClient } from "redis";
import { RedisStore } from "../../src";
import type { RedisStoreOptions } from "../../src";
import { configError } from "../helpers/errors";
import { describeWithRedis, freePort, startRedisServer, type RedisServer } from "../helpers/redis-server";

const CALL = "CA0123456789abcdef0123456789abcdef";

async function connect(url: string) {
  const client = createClient({ url });
  client.on("error", () => undefined); // connection errors surface through the commands that fail
  await client.connect();
  return client;
}

type Client = Awaited<ReturnType<typeof connect>>;

/** The session-level writes: `patch` for set/delete, `compareAndSet` for update. */
function set(store: RedisStore, callSid: string, fields: Record<string, string>, ttlSeconds?: number): Promise<void> {
  return store.patch(callSid, { set: fields, remove: [] }, ttlSeconds);
}

/** Retries `op` until it resolves (or `ms` pass): for a store reconnecting in the background. */
async function eventually<T>(op: () => Promise<T>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await op();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function timed(op: Promise<unknown>): Promise<{ error: Error; ms: number }> {
  const started = Date.now();
  try {
    await op;
  } catch (err) {
    return { error: err as Error, ms: Date.now() - started };
  }
  throw new Error("expected the operation to reject, it resolved");
}

describeWithRedis("RedisStore: what it writes in Redis", () => {
  let server: RedisServer;
  let redis: Client;
  const stores: RedisStore[] = [];
  /** A store made from the server's url, closed after the test. */
  function urlStore(options: Partial<{ prefix: string; ttlSeconds: number }> = {}): RedisStore {
    const store = new RedisStore({ url: server.url, ...options });
    stores.push(store);
    return store;
  }

  beforeAll(async () => {
    server = await startRedisServer();
    redis = await connect(server.url);
  });
  afterAll(async () => {
    redis.destroy();
    await server.stop();
  });
  beforeEach(async () => {
    await redis.flushAll();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  it('keys carry the default prefix "tif:call:" and nothing else is written', async () => {
    const store = urlStore();
    await set(store, CALL, { step: '"welcome"' });
    await store.compareAndSet("CA2", undefined, { polls: "1" }, undefined);
    await store.get("CA3"); // a read writes nothing
    await store.destroy("CA4");
    expect((await redis.keys("*")).sort()).toEqual([`tif:call:${CALL}`, "tif:call:CA2"]);
    expect(await redis.type(`tif:call:${CALL}`)).toBe("hash");
  });

  it("keys carry a custom prefix, verbatim; an empty prefix is allowed", async () => {
    await set(urlStore({ prefix: "myapp:{sessions}:" }), CALL, { a: "1" });
    await set(urlStore({ prefix: "" }), "CA2", { a: "2" });
    expect((await redis.keys("*")).sort()).toEqual(["CA2", `myapp:{sessions}:${CALL}`]);
  });

  it("a client passed in writes under the prefix too", async () => {
    const client = await connect(server.url);
    try {
      const store = new RedisStore({ client, prefix: "other:" });
      await set(store, CALL, { a: "1" });
      expect(await redis.keys("*")).toEqual([`other:${CALL}`]);
      await store.destroy(CALL);
      expect(await redis.keys("*")).toEqual([]);
    } finally {
      client.destroy();
    }
  });

  it("destroy deletes the call's key and only that one", async () => {
    const store = urlStore();
    await set(store, "CA1", { a: "1" });
    await set(store, "CA2", { a: "2" });
    await redis.set("unrelated", "keep me");
    await store.destroy("CA1");
    expect((await redis.keys("*")).sort()).toEqual(["tif:call:CA2", "unrelated"]);
  });

  it("the hash holds one field per key, valued with the JSON text given, plus one revision field", async () => {
    const store = urlStore();
    const fields = { step: '"welcome"', polls: "3", weather: '{"temp":21,"sky":["sun"]}', "with space": "null" };
    await store.compareAndSet(CALL, undefined, fields, undefined);
    const hash = await redis.hGetAll(`tif:call:${CALL}`);
    expect(Object.keys(hash)).toHaveLength(Object.keys(fields).length + 1);
    const revision = (await store.get(CALL))!.revision;
    const dataFields = Object.entries(hash).filter(([, value]) => value !== revision);
    expect(dataFields).toHaveLength(Object.keys(fields).length);
    for (const [key, text] of Object.entries(fields)) {
      const field = dataFields.find(([name]) => name.endsWith(key));
      expect(field?.[1]).toBe(text);
    }
    // A key removed by patch leaves the hash; the others stay as they were.
    await store.patch(CALL, { set: { polls: "4" }, remove: ["weather"] }, undefined);
    const after = await redis.hGetAll(`tif:call:${CALL}`);
    expect(Object.keys(after)).toHaveLength(Object.keys(fields).length);
    expect(Object.values(after)).toEqual(expect.arrayContaining(['"welcome"', "4", "null"]));
    expect(Object.values(after)).not.toContain('{"temp":21,"sky":["sun"]}');
  });

  it('a key named like the revision field ("rev") is data like any other', async () => {
    const store = urlStore();
    await set(store, CALL, { rev: '"mine"', "f:x": "1" });
    const stored = await store.get(CALL);
    expect(stored?.fields).toEqual({ rev: '"mine"', "f:x": "1" });
    expect(stored?.revision).not.toBe('"mine"');
    expect(await store.compareAndSet(CALL, stored?.revision, { rev: '"next"' }, undefined)).toBe(true);
    expect((await store.get(CALL))?.fields).toEqual({ rev: '"next"' });
  });

  it("stores with the same prefix share calls; different prefixes do not see each other", async () => {
    const a = urlStore({ prefix: "app:" });
    const b = urlStore({ prefix: "app:" });
    const other = urlStore({ prefix: "other-app:" });
    await set(a, CALL, { who: '"a"' });
    expect((await b.get(CALL))?.fields).toEqual({ who: '"a"' });
    expect(await other.get(CALL)).toBeUndefined();
  });

  it("a hash written by something else without a revision is read, and compareAndSet treats it as revision ''", async () => {
    // Nothing but the store should write these keys; this documents what happens when something does.
    await redis.hSet(`tif:call:${CALL}`, { stray: "x" });
    const store = urlStore();
    const stored = await store.get(CALL);
    expect(stored).toEqual({ fields: {}, revision: "" });
    expect(await store.compareAndSet(CALL, "", { a: "1" }, undefined)).toBe(true);
    expect((await store.get(CALL))?.fields).toEqual({ a: "1" });
    expect(await redis.hExists(`tif:call:${CALL}`, "stray")).toBe(0);
  });

  describe("TTL", () => {
    it("defaults to 4 hours", async () => {
      await set(urlStore(), CALL, { a: "1" });
      const ttl = await redis.ttl(`tif:call:${CALL}`);
      expect(ttl).toBeGreaterThan(14_400 - 5);
      expect(ttl).toBeLessThanOrEqual(14_400);
    });

    it("comes from the ttlSeconds option, for patch and compareAndSet", async () => {
      const store = urlStore({ ttlSeconds: 120 });
      await set(store, "CA1", { a: "1" });
      await store.compareAndSet("CA2", undefined, { a: "1" }, undefined);
      for (const key of ["tif:call:CA1", "tif:call:CA2"]) {
        const ttl = await redis.ttl(key);
        expect(ttl).toBeGreaterThan(115);
        expect(ttl).toBeLessThanOrEqual(120);
      }
    });

    it("a per-call ttlSeconds argument overrides the option, longer or shorter", async () => {
      const store = urlStore({ ttlSeconds: 120 });
      await set(store, "CA1", { a: "1" }, 30);
      await store.compareAndSet("CA2", undefined, { a: "1" }, 5000);
      const short = await redis.ttl("tif:call:CA1");
      expect(short).toBeGreaterThan(25);
      expect(short).toBeLessThanOrEqual(30);
      const long = await redis.ttl("tif:call:CA2");
      expect(long).toBeGreaterThan(4995);
      expect(long).toBeLessThanOrEqual(5000);
    });

    it("is refreshed on every write: patch (set and remove) and compareAndSet", async () => {
      const store = urlStore({ ttlSeconds: 1000 });
      const key = `tif:call:${CALL}`;
      await set(store, CALL, { a: "1", b: "2" });
      const shortened = async (): Promise<void> => {
        await redis.expire(key, 10);
        expect(await redis.ttl(key)).toBeLessThanOrEqual(10);
      };
      await shortened();
      await set(store, CALL, { a: "2" });
      expect(await redis.ttl(key)).toBeGreaterThan(995);
      await shortened();
      await store.patch(CALL, { set: {}, remove: ["b"] }, undefined);
      expect(await redis.ttl(key)).toBeGreaterThan(995);
      await shortened();
      expect(await store.compareAndSet(CALL, (await store.get(CALL))?.revision, { c: "3" }, undefined)).toBe(true);
      expect(await redis.ttl(key)).toBeGreaterThan(995);
    });

    it("is not refreshed by a read nor by a compareAndSet that lost", async () => {
      const store = urlStore({ ttlSeconds: 1000 });
      const key = `tif:call:${CALL}`;
      await set(store, CALL, { a: "1" });
      await redis.expire(key, 10);
      await store.get(CALL);
      expect(await store.compareAndSet(CALL, "not-the-revision", { a: "2" }, undefined)).toBe(false);
      expect(await redis.ttl(key)).toBeLessThanOrEqual(10);
      expect((await store.get(CALL))?.fields).toEqual({ a: "1" });
    });

    it("Redis expires the data: gone once the TTL has run out", async () => {
      const store = urlStore();
      await set(store, CALL, { a: "1" }, 1);
      expect(await store.get(CALL)).toBeDefined();
      await eventually(async () => {
        if ((await store.get(CALL)) !== undefined) throw new Error("not expired yet");
      });
      expect(await redis.keys("*")).toEqual([]);
    });
  });
});

describeWithRedis("RedisStore: close()", () => {
  let server: RedisServer;
  let redis: Client;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = await connect(server.url);
  });
  afterAll(async () => {
    redis.destroy();
    await server.stop();
  });

  /** Connections the server has, the inspector's own included. */
  async function connections(): Promise<number> {
    return (await redis.clientList()).length;
  }

  it("closes the client the store made from its url: its connection goes and later operations reject", async () => {
    const before = await connections();
    const store = new RedisStore({ url: server.url });
    await set(store, CALL, { a: "1" });
    expect(await connections()).toBe(before + 1);
    await store.close();
    await eventually(async () => {
      if ((await connections()) !== before) throw new Error("connection still open");
    });
    await expect(store.get(CALL)).rejects.toThrow(/closed/);
    await expect(set(store, CALL, { a: "2" })).rejects.toThrow(/closed/);
    expect(await connections()).toBe(before); // the rejected operations did not reconnect
    await store.close(); // twice is fine
  });

  it("init() connects before any operation, once, and the first operation reuses that connection", async () => {
    const before = await connections();
    const store = new RedisStore({ url: server.url });
    expect(await connections()).toBe(before); // nothing until asked
    await store.init();
    await store.init();
    expect(await connections()).toBe(before + 1);
    await set(store, CALL, { a: "1" });
    expect(await connections()).toBe(before + 1);
    await store.close();
  });

  it("init() to a refused port rejects promptly, and a later operation tries again", async () => {
    const store = new RedisStore({ url: `redis://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    await expect(store.init()).rejects.toThrow(/could not connect/);
    await expect(store.get(CALL)).rejects.toThrow(/could not connect/);
    await store.close();
  });

  it("close() before any operation opens nothing and closes the store", async () => {
    const before = await connections();
    const store = new RedisStore({ url: server.url });
    await store.close();
    await expect(store.get(CALL)).rejects.toThrow(/closed/);
    expect(await connections()).toBe(before);
  });

  it("does not close a client passed in: it stays usable, though the store refuses further work", async () => {
    const client = await connect(server.url);
    try {
      const store = new RedisStore({ client });
      await set(store, CALL, { a: "1" });
      await store.close();
      expect(client.isOpen).toBe(true);
      expect(await client.ping()).toBe("PONG");
      expect(await client.hLen(`tif:call:${CALL}`)).toBe(2);
      await expect(store.get(CALL)).rejects.toThrow(/closed/);
    } finally {
      client.destroy();
    }
  });
});

describeWithRedis("RedisStore: options", () => {
  const client = { eval: () => Promise.resolve(null) };

  it.each([
    ["neither url nor client", {}],
    ["both url and client", { url: "redis://127.0.0.1:6379", client }],
  ])("%s throws ERR_IVR_CONFIG_INVALID", (what, options) => {
    const error = configError(() => new RedisStore(options as unknown as RedisStoreOptions), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/exactly one of `url`.*`client`/);
    expect(error.message).toContain(what.startsWith("both") ? "got both" : "got neither");
  });

  it.each([undefined, null, "redis://127.0.0.1"])("options %p (not an object) throws ERR_IVR_CONFIG_INVALID", (options) => {
    configError(() => new RedisStore(options as unknown as RedisStoreOptions), "ERR_IVR_CONFIG_INVALID");
  });

  it.each(["http://:s3cret@x", "https://user:s3cret@cache.example.com:6379", "s3cret@localhost:6379", "localhost:6379?password=s3cret"])(
    "a url that is not redis:// or rediss:// (%s) throws, and the message never shows the url",
    (url) => {
      const error = configError(() => new RedisStore({ url }), "ERR_IVR_CONFIG_INVALID");
      expect(error.message).toMatch(/options\.url must be a redis:\/\/ or rediss:\/\//);
      expect(error.message).not.toContain("s3cret");
      expect(error.message).not.toContain(url);
      expect(String(error.stack)).not.toContain("s3cret");
    },
  );

  it.each([42, {}, ["redis://x"]])("a url that is not a string (%p) throws naming options.url", (url) => {
    const error = configError(() => new RedisStore({ url } as unknown as RedisStoreOptions), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/options\.url/);
  });

  it.each(["redis://:s3cret@host", "REDIS://127.0.0.1:1", "rediss://user:s3cret@cache.example.com:6380/2"])("accepts %s without connecting at construction", async (url) => {
    const store = new RedisStore({ url });
    await store.close();
  });

  it.each([{}, { get: () => undefined }, { eval: "EVAL" }, "redis://127.0.0.1"])("a client without an eval function (%p) throws naming options.client", (bad) => {
    const error = configError(() => new RedisStore({ client: bad } as unknown as RedisStoreOptions), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/options\.client/);
    expect(error.message).toMatch(/eval/);
  });

  it.each([5, null, { key: "x" }])("a prefix that is not a string (%p) throws naming options.prefix", (prefix) => {
    const error = configError(() => new RedisStore({ client, prefix } as unknown as RedisStoreOptions), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/options\.prefix/);
  });

  it.each([0, -100, Number.NaN, Number.POSITIVE_INFINITY, "300"])("timeoutMs %p throws naming options.timeoutMs", (timeoutMs) => {
    const error = configError(() => new RedisStore({ client, timeoutMs } as unknown as RedisStoreOptions), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/options\.timeoutMs/);
  });

  it.each([0, 1.5, "60"])("ttlSeconds %p throws naming options.ttlSeconds", (ttlSeconds) => {
    const error = configError(() => new RedisStore({ client, ttlSeconds } as unknown as RedisStoreOptions), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/RedisStore options\.ttlSeconds/);
  });

  it("a fractional timeoutMs is accepted", () => {
    expect(() => new RedisStore({ client, timeoutMs: 250.5 })).not.toThrow();
  });
});

describeWithRedis("RedisStore: when Redis is down, refuses or does not answer", () => {
  let server: RedisServer;
  const stores: RedisStore[] = [];
  function urlStore(url: string, timeoutMs = 300): RedisStore {
    const store = new RedisStore({ url, timeoutMs });
    stores.push(store);
    return store;
  }

  beforeEach(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await server.stop();
  });

  it.each([
    ["stopped", (s: RedisServer) => s.stop()],
    ["killed", (s: RedisServer) => s.kill()],
  ])("with the server %s, an operation rejects within about timeoutMs; after a restart the same store works again", async (_how, bringDown) => {
    const store = urlStore(server.url);
    await set(store, CALL, { a: "1" });
    await bringDown(server);
    const { error, ms } = await timed(store.get(CALL));
    expect(error).toBeInstanceOf(Error);
    // Bounded by the store's own timeoutMs (300), not the 3 s default nor a hang; generous for slow machines.
    expect(ms).toBeLessThan(2500);
    await expect(set(store, CALL, { a: "2" })).rejects.toThrow();
    await server.restart(); // same port, empty
    await eventually(() => set(store, CALL, { back: "true" }));
    expect((await store.get(CALL))?.fields).toEqual({ back: "true" });
  }, 20_000);

  it("a store whose first connection failed connects on a later operation once Redis is back", async () => {
    await server.stop();
    const store = urlStore(server.url);
    const { ms } = await timed(store.get(CALL));
    expect(ms).toBeLessThan(2500);
    await server.restart();
    expect(await store.get(CALL)).toBeUndefined();
    await set(store, CALL, { a: "1" });
    expect((await store.get(CALL))?.fields).toEqual({ a: "1" });
  }, 20_000);

  it("a refused connection (nothing listening) rejects promptly, each time, instead of hanging", async () => {
    const port = await freePort();
    const store = urlStore(`redis://:s3cret@127.0.0.1:${port}`, 2000);
    for (let attempt = 0; attempt < 2; attempt++) {
      const { error, ms } = await timed(store.get(CALL));
      expect(error.message).toMatch(/could not connect to Redis/);
      expect(error.message).not.toContain("s3cret");
      // Refused at once: well before the 2 s timeoutMs would end it.
      expect(ms).toBeLessThan(1500);
    }
  }, 20_000);

  it("a server that accepts but does not answer: the operation rejects after timeoutMs, saying so", async () => {
    const store = urlStore(server.url, 300);
    // Connected and written; retried, as 300 ms can pass while connecting on a loaded machine.
    await eventually(() => set(store, CALL, { a: "1" }));
    const redis = await connect(server.url);
    try {
      await redis.sendCommand(["CLIENT", "PAUSE", "1500", "ALL"]);
      const { error, ms } = await timed(store.get(CALL));
      expect(error.message).toBe("RedisStore: no answer from Redis within 300 ms");
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(1400); // before the pause ends
      // Once Redis answers again, so does the store.
      expect((await eventually(() => store.get(CALL)))?.fields).toEqual({ a: "1" });
    } finally {
      redis.destroy();
    }
  }, 20_000);

  it("close() while Redis is down resolves, and the closed store never reconnects", async () => {
    const store = urlStore(server.url);
    await set(store, CALL, { a: "1" });
    await server.stop();
    await expect(store.get(CALL)).rejects.toThrow();
    await store.close();
    await server.restart();
    const redis = await connect(server.url);
    try {
      // Longer than the store's longest reconnect delay (2 s): a live client would be back by now.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(await redis.clientList()).toHaveLength(1); // the inspector alone
      await expect(store.get(CALL)).rejects.toThrow(/closed/);
    } finally {
      redis.destroy();
    }
  }, 20_000);

  it("a wrong password rejects promptly, and the error never shows the password", async () => {
    const redis = await connect(server.url);
    try {
      await redis.configSet("requirepass", "right-pass-123");
      const store = urlStore(`redis://:wr0ng-s3cret@127.0.0.1:${server.port}`, 2000);
      const { error, ms } = await timed(store.get(CALL));
      expect(ms).toBeLessThan(1500);
      expect(error.message).not.toContain("wr0ng-s3cret");
      expect(String(error.stack)).not.toContain("wr0ng-s3cret");
      const good = urlStore(`redis://:right-pass-123@127.0.0.1:${server.port}`);
      await set(good, CALL, { a: "1" });
      expect((await good.get(CALL))?.fields).toEqual({ a: "1" });
    } finally {
      redis.destroy();
    }
  }, 20_000);
});
