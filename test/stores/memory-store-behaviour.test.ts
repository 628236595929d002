// MemoryStore's own behaviour, beyond the generic store contract (test/stores/memory-store.test.ts):
// its TTLs, its bound on calls, its sweep timer, its production warning and its option checks.
// Time is Jest's modern fake clock (it mocks Date too), so nothing here waits for real time,
// except the one test that runs a separate node process to see it exit by itself.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { MemoryStore } from "../../src";
import type * as MemoryStoreModule from "../../src/sessions/memory-store";
import type { SessionFields } from "../../src/sessions/store";
import { configError } from "../helpers/errors";

const FOUR_HOURS_MS = 4 * 60 * 60 * 1000;

/** One field written with `patch`, the way `session.set` writes. */
function write(store: MemoryStore, callSid: string, fields: SessionFields = { step: '"welcome"' }, ttlSeconds?: number): Promise<void> {
  return store.patch(callSid, { set: fields, remove: [] }, ttlSeconds);
}

async function has(store: MemoryStore, callSid: string): Promise<boolean> {
  return (await store.get(callSid)) !== undefined;
}

describe("MemoryStore: expiry", () => {
  let store: MemoryStore;
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(async () => {
    await store.close();
    jest.useRealTimers();
  });

  it("keeps a call's data 4 hours by default: there a millisecond before, gone at 4 hours", async () => {
    store = new MemoryStore();
    await write(store, "CA1");
    jest.setSystemTime(Date.now() + FOUR_HOURS_MS - 1);
    expect(await store.get("CA1")).toEqual({ fields: { step: '"welcome"' }, revision: expect.any(String) });
    jest.setSystemTime(Date.now() + 1);
    expect(await store.get("CA1")).toBeUndefined();
  });

  it("keeps it ttlSeconds when the option is given", async () => {
    store = new MemoryStore({ ttlSeconds: 90 });
    await write(store, "CA1");
    await write(store, "CA2");
    jest.setSystemTime(Date.now() + 90_000 - 1);
    expect(await has(store, "CA1")).toBe(true);
    jest.setSystemTime(Date.now() + 1);
    expect(await has(store, "CA1")).toBe(false);
    // Expired data is never returned by any operation, swept or not.
    expect(await store.compareAndSet("CA2", undefined, { fresh: "1" }, undefined)).toBe(true);
    expect((await store.get("CA2"))?.fields).toEqual({ fresh: "1" });
  });

  it("refreshes the expiry on every write (patch and compareAndSet)", async () => {
    store = new MemoryStore({ ttlSeconds: 60 });
    await write(store, "CA1");
    jest.setSystemTime(Date.now() + 50_000);
    await write(store, "CA1", { more: "2" });
    jest.setSystemTime(Date.now() + 50_000); // 100 s after the first write, 50 s after the last
    const stored = await store.get("CA1");
    expect(stored?.fields).toEqual({ step: '"welcome"', more: "2" });
    expect(await store.compareAndSet("CA1", stored?.revision, { only: "3" }, undefined)).toBe(true);
    jest.setSystemTime(Date.now() + 60_000 - 1);
    expect((await store.get("CA1"))?.fields).toEqual({ only: "3" });
    jest.setSystemTime(Date.now() + 1);
    expect(await has(store, "CA1")).toBe(false);
  });

  it("reading does not refresh the expiry", async () => {
    store = new MemoryStore({ ttlSeconds: 60 });
    await write(store, "CA1");
    jest.setSystemTime(Date.now() + 59_000);
    expect(await has(store, "CA1")).toBe(true);
    jest.setSystemTime(Date.now() + 1_000);
    expect(await has(store, "CA1")).toBe(false);
  });

  it("a per-call ttlSeconds argument overrides the store's, shorter or longer", async () => {
    store = new MemoryStore({ ttlSeconds: 100 });
    await write(store, "short", undefined, 10);
    await store.compareAndSet("long", undefined, { a: "1" }, 1000);
    await write(store, "default");
    jest.setSystemTime(Date.now() + 10_000 - 1);
    expect(await has(store, "short")).toBe(true);
    jest.setSystemTime(Date.now() + 1);
    expect(await has(store, "short")).toBe(false);
    jest.setSystemTime(Date.now() + 90_000); // 100 s after the writes
    expect(await has(store, "default")).toBe(false);
    expect(await has(store, "long")).toBe(true);
    jest.setSystemTime(Date.now() + 900_000 - 1);
    expect(await has(store, "long")).toBe(true);
    jest.setSystemTime(Date.now() + 1);
    expect(await has(store, "long")).toBe(false);
  });

  it("a write with the per-call ttl replaces the expiry a longer one set before", async () => {
    store = new MemoryStore({ ttlSeconds: 1000 });
    await write(store, "CA1");
    await write(store, "CA1", { b: "2" }, 5);
    jest.setSystemTime(Date.now() + 5_000);
    expect(await has(store, "CA1")).toBe(false);
  });

  it("sweeps expired calls without any read, then stops its timer when nothing is left", async () => {
    store = new MemoryStore({ ttlSeconds: 5 });
    expect(jest.getTimerCount()).toBe(0); // no timer before the first write
    await write(store, "CA1");
    await write(store, "CA2");
    expect(jest.getTimerCount()).toBe(1);
    expect(store.size).toBe(2);
    jest.advanceTimersByTime(5_000);
    expect(store.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    // A later write starts it again.
    await write(store, "CA3");
    expect(jest.getTimerCount()).toBe(1);
  });

  it("the sweep keeps calls that have not expired", async () => {
    store = new MemoryStore({ ttlSeconds: 3600 });
    await write(store, "old");
    jest.advanceTimersByTime(1_800_000);
    await write(store, "new");
    jest.advanceTimersByTime(1_800_000); // "old" expires, "new" has half an hour left
    expect(store.size).toBe(1);
    expect(await has(store, "new")).toBe(true);
  });

  it("close() drops all data and stops the sweep timer", async () => {
    store = new MemoryStore();
    await write(store, "CA1");
    expect(jest.getTimerCount()).toBe(1);
    await store.close();
    expect(jest.getTimerCount()).toBe(0);
    expect(store.size).toBe(0);
    expect(await store.get("CA1")).toBeUndefined();
  });
});

describe("MemoryStore: the maxCalls bound", () => {
  let store: MemoryStore;
  afterEach(async () => {
    await store.close();
  });

  it("writing maxCalls + 1 calls evicts the one written longest ago", async () => {
    store = new MemoryStore({ maxCalls: 3 });
    for (const sid of ["a", "b", "c"]) await write(store, sid);
    expect(store.size).toBe(3);
    await write(store, "d");
    expect(store.size).toBe(3);
    expect(await has(store, "a")).toBe(false);
    for (const sid of ["b", "c", "d"]) expect(await has(store, sid)).toBe(true);
  });

  it("a call written again moves to the back of the line", async () => {
    store = new MemoryStore({ maxCalls: 3 });
    for (const sid of ["a", "b", "c"]) await write(store, sid);
    await write(store, "a", { again: "true" });
    await write(store, "d");
    expect(await has(store, "b")).toBe(false);
    expect((await store.get("a"))?.fields).toEqual({ step: '"welcome"', again: "true" });
    // Order now c, a, d. compareAndSet is a write too: it moves c behind d.
    expect(await store.compareAndSet("c", (await store.get("c"))?.revision, { x: "1" }, undefined)).toBe(true);
    await write(store, "e");
    expect(await has(store, "a")).toBe(false);
    for (const sid of ["d", "c", "e"]) expect(await has(store, sid)).toBe(true);
  });

  it("reading a call does not save it from eviction", async () => {
    store = new MemoryStore({ maxCalls: 2 });
    await write(store, "a");
    await write(store, "b");
    expect(await has(store, "a")).toBe(true);
    await write(store, "c");
    expect(await has(store, "a")).toBe(false);
    expect(await has(store, "b")).toBe(true);
  });

  it("maxCalls: 1 keeps only the last call written", async () => {
    store = new MemoryStore({ maxCalls: 1 });
    await write(store, "a");
    await write(store, "b");
    expect(store.size).toBe(1);
    expect(await has(store, "a")).toBe(false);
    expect(await has(store, "b")).toBe(true);
  });

  it("a destroyed call frees its place", async () => {
    store = new MemoryStore({ maxCalls: 2 });
    await write(store, "a");
    await write(store, "b");
    await store.destroy("b");
    await write(store, "c");
    expect(await has(store, "a")).toBe(true);
    expect(await has(store, "c")).toBe(true);
  });
});

describe("MemoryStore: copies in and out", () => {
  let store: MemoryStore;
  beforeEach(() => {
    store = new MemoryStore();
  });
  afterEach(async () => {
    await store.close();
  });

  it("get returns a copy: mutating the returned fields does not change the store", async () => {
    await write(store, "CA1", { a: "1", b: "2" });
    const first = await store.get("CA1");
    first!.fields.a = "999";
    first!.fields.added = "3";
    delete first!.fields.b;
    expect((await store.get("CA1"))?.fields).toEqual({ a: "1", b: "2" });
  });

  it("two reads return distinct objects", async () => {
    await write(store, "CA1", { a: "1" });
    const [x, y] = await Promise.all([store.get("CA1"), store.get("CA1")]);
    expect(x).toEqual(y);
    expect(x!.fields).not.toBe(y!.fields);
  });

  it("the objects given to compareAndSet and patch are not kept", async () => {
    const fields: SessionFields = { a: "1" };
    await store.compareAndSet("CA1", undefined, fields, undefined);
    fields.a = "changed";
    fields.b = "added";
    expect((await store.get("CA1"))?.fields).toEqual({ a: "1" });

    const set: SessionFields = { c: "3" };
    await store.patch("CA1", { set, remove: [] }, undefined);
    set.c = "changed";
    expect((await store.get("CA1"))?.fields).toEqual({ a: "1", c: "3" });
  });

  it("a __proto__ field is kept as plain data, not as the fields object's prototype", async () => {
    await write(store, "CA1", JSON.parse('{"__proto__":"{\\"polluted\\":true}"}') as SessionFields);
    const stored = await store.get("CA1");
    expect(Object.getPrototypeOf(stored!.fields)).toBe(Object.prototype);
    expect(Object.keys(stored!.fields)).toEqual(["__proto__"]);
    expect(Object.getOwnPropertyDescriptor(stored!.fields, "__proto__")?.value).toBe('{"polluted":true}');
  });
});

describe("MemoryStore: options", () => {
  it.each([
    ["ttlSeconds", 0],
    ["ttlSeconds", -5],
    ["ttlSeconds", 1.5],
    ["ttlSeconds", "60"],
    ["ttlSeconds", Number.NaN],
    ["ttlSeconds", Number.POSITIVE_INFINITY],
    ["maxCalls", 0],
    ["maxCalls", -1],
    ["maxCalls", 2.5],
    ["maxCalls", "100"],
  ])("%s: %p throws ERR_IVR_CONFIG_INVALID naming the option", (option, value) => {
    const error = configError(() => new MemoryStore({ [option]: value }), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toContain(`MemoryStore options.${option}`);
  });

  it.each([null, "ttl", 42])("options %p (not an object) throws ERR_IVR_CONFIG_INVALID", (options) => {
    const error = configError(() => new MemoryStore(options as unknown as MemoryStoreModule.MemoryStoreOptions), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/options must be an object/);
  });

  it("accepts the smallest valid values", async () => {
    const store = new MemoryStore({ ttlSeconds: 1, maxCalls: 1 });
    await write(store, "CA1");
    expect(await has(store, "CA1")).toBe(true);
    await store.close();
  });
});

describe("MemoryStore: the production warning", () => {
  const savedEnv = process.env.NODE_ENV;
  let emitWarning: jest.SpyInstance;
  beforeEach(() => {
    emitWarning = jest.spyOn(process, "emitWarning").mockImplementation(() => undefined);
  });
  afterEach(() => {
    emitWarning.mockRestore();
    process.env.NODE_ENV = savedEnv;
  });

  /** A fresh copy of the module, so its "warned already" state starts over. */
  function freshModule(): typeof MemoryStoreModule {
    let loaded: typeof MemoryStoreModule | undefined;
    jest.isolateModules(() => {
      loaded = jest.requireActual<typeof MemoryStoreModule>("../../src/sessions/memory-store");
    });
    return loaded!;
  }

  it("under NODE_ENV=production, constructing a MemoryStore emits one process warning with code IVR_MEMORY_STORE_IN_PRODUCTION", async () => {
    process.env.NODE_ENV = "production";
    const { MemoryStore: FreshStore } = freshModule();
    const stores = [new FreshStore(), new FreshStore({ ttlSeconds: 60 }), new FreshStore()];
    expect(emitWarning).toHaveBeenCalledTimes(1);
    const [message, options] = emitWarning.mock.calls[0] as [string, { code: string }];
    expect(options.code).toBe("IVR_MEMORY_STORE_IN_PRODUCTION");
    expect(message).toMatch(/MemoryStore/);
    expect(message).toMatch(/RedisStore/);
    for (const store of stores) await store.close();
  });

  it("warns again only in a fresh copy of the module (the state is per module)", () => {
    process.env.NODE_ENV = "production";
    new (freshModule().MemoryStore)();
    new (freshModule().MemoryStore)();
    expect(emitWarning).toHaveBeenCalledTimes(2);
  });

  it.each(["test", "development", undefined])("emits nothing under NODE_ENV=%p", (env) => {
    if (env === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = env;
    new (freshModule().MemoryStore)();
    expect(emitWarning).not.toHaveBeenCalled();
  });

  it("an invalid option throws before anything is warned", () => {
    process.env.NODE_ENV = "production";
    const { MemoryStore: FreshStore } = freshModule();
    expect(() => new FreshStore({ maxCalls: 0 })).toThrow(/maxCalls/);
    expect(emitWarning).not.toHaveBeenCalled();
    new FreshStore();
    expect(emitWarning).toHaveBeenCalledTimes(1);
  });
});

describe("MemoryStore: its sweep timer never keeps a process alive", () => {
  // The store bundled on its own with esbuild (a tsup dependency), then loaded by a separate node process.
  const buildDir = path.join(__dirname, "..", "..", "node_modules", ".cache", `memory-store-behaviour-${process.pid}`);
  const bundle = path.join(buildDir, "memory-store.js");
  beforeAll(async () => {
    await build({
      entryPoints: [path.join(__dirname, "..", "..", "src", "sessions", "memory-store.ts")],
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      outfile: bundle,
      logLevel: "silent",
    });
  });
  afterAll(() => {
    fs.rmSync(buildDir, { recursive: true, force: true });
  });

  it("a process whose only work left is a MemoryStore holding data exits by itself", async () => {
    // setInterval is wrapped to see the timer the store makes: it exists, and it is unref'd.
    const script = `
      const timers = [];
      const realSetInterval = globalThis.setInterval;
      globalThis.setInterval = (...args) => { const t = realSetInterval(...args); timers.push(t); return t; };
      const { MemoryStore } = require(${JSON.stringify(bundle)});
      const store = new MemoryStore({ ttlSeconds: 3600 });
      store.patch("CA1", { set: { step: '"welcome"' }, remove: [] }, undefined).then(() => {
        console.log(JSON.stringify({ size: store.size, timers: timers.map((t) => t.hasRef()) }));
      });
    `;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_ENV: "test" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    let killed = false;
    // A ref'd sweep timer (60 s period, data valid for an hour) would keep the child alive far past this.
    const guard = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, 10_000);
    const code = await new Promise<number | null>((resolve) => child.once("exit", (exitCode) => { resolve(exitCode); }));
    clearTimeout(guard);
    expect(stderr).toBe("");
    expect(killed).toBe(false);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ size: 1, timers: [false] });
  }, 20_000);
});
