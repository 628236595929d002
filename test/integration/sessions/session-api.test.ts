// The CallSession a state gets: JSON values round trip, non-JSON values are clear errors, `update`
// is atomic under concurrency, concurrent `set`s of different keys never lose each other, and a
// backgroundTrigger's write after the response is visible to the call's next request.
import fc from "fast-check";
import request from "supertest";
import { MemoryStore, SessionError, type CallSession, type JsonValue, type SessionStore, type State } from "../../../src";
import { buildApp, devConfig } from "../../helpers/app";
import { withoutPatch } from "../../helpers/counting-store";

/** Runs `body` with the session of call `callSid`, obtained through a real request. */
async function withSession<T>(store: SessionStore, callSid: string, body: (session: CallSession) => Promise<T>): Promise<T> {
  let result: { value: T } | undefined;
  let failure: { error: unknown } | undefined;
  const state: State = {
    uri: "/s",
    isEndState: true,
    async twimlFor(_urlFor, _input, session) {
      try {
        result = { value: await body(session!) };
      } catch (error) {
        failure = { error };
      }
      return "<Response/>";
    },
  };
  await request(buildApp([state], devConfig({ sessions: { store } }))).post("/s").type("form").send({ CallSid: callSid }).expect(200);
  if (failure !== undefined) throw failure.error;
  return (result as { value: T }).value;
}

const stores: [string, () => SessionStore][] = [
  ["MemoryStore", () => new MemoryStore()],
  ["a store without patch", () => withoutPatch(new MemoryStore())],
];

describe.each(stores)("the session API on %s", (_label, makeStore) => {
  it("get of a key never set is undefined; getAll of a fresh call is {}", async () => {
    const store = makeStore();
    await withSession(store, "CA1", async (s) => {
      expect(await s.get("nothing")).toBeUndefined();
      expect(await s.getAll()).toEqual({});
    });
    expect(await store.get("CA1")).toBeUndefined();
  });

  it("set, get, getAll, delete", async () => {
    const store = makeStore();
    await withSession(store, "CA1", async (s) => {
      await s.set("a", { deep: [1, "two", null, true] });
      await s.set("b", 2);
      await s.delete("b");
      expect(await s.get("a")).toEqual({ deep: [1, "two", null, true] });
      expect(await s.getAll()).toEqual({ a: { deep: [1, "two", null, true] } });
    });
    // another request of the same call sees it; another call does not
    expect(await withSession(store, "CA1", (s) => s.get("a"))).toEqual({ deep: [1, "two", null, true] });
    expect(await withSession(store, "CA2", (s) => s.get("a"))).toBeUndefined();
  });

  it("values are copies: mutating what get returned changes nothing stored", async () => {
    const store = makeStore();
    await withSession(store, "CA1", async (s) => {
      const value = { n: 1 };
      await s.set("v", value);
      value.n = 2;
      const read = (await s.get("v")) as { n: number };
      read.n = 3;
      expect(await s.get("v")).toEqual({ n: 1 });
    });
  });

  it("any JSON value round trips exactly (property)", async () => {
    const store = makeStore();
    await withSession(store, "CA1", async (s) => {
      await fc.assert(
        fc.asyncProperty(fc.string({ minLength: 1 }), fc.jsonValue(), async (key, value) => {
          await s.set(key, value as JsonValue);
          // JSON has no -0: it comes back as 0, as it would from any JSON store.
          expect(await s.get(key)).toEqual(JSON.parse(JSON.stringify(value)));
        }),
        { numRuns: 60 },
      );
    });
  });

  it.each([
    ["undefined", undefined, /is undefined, which JSON cannot hold \(delete the key instead\)/],
    ["a function", () => 1, /is a function/],
    ["a bigint", 10n, /is a bigint/],
    ["NaN", Number.NaN, /is NaN/],
    ["Infinity inside an array", [1, Number.POSITIVE_INFINITY], /\[1\] is Infinity/],
    ["a Date", new Date(0), /is a Date, not a plain object/],
    ["a Map", new Map(), /is a Map/],
    ["a cycle", (() => { const o: Record<string, unknown> = {}; o.self = o; return o; })(), /\.self refers back to itself/],
  ])("set rejects %s with ERR_IVR_SESSION_VALUE and writes nothing", async (_what, value, message) => {
    const store = makeStore();
    const error = await withSession(store, "CA1", (s) => s.set("k", value as JsonValue)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionError);
    expect(error).toMatchObject({ code: "ERR_IVR_SESSION_VALUE", callSid: "CA1" });
    expect((error as Error).message).toMatch(message);
    expect(await store.get("CA1")).toBeUndefined();
  });

  it("rejects an empty or non-string key", async () => {
    const store = makeStore();
    await withSession(store, "CA1", async (s) => {
      await expect(s.set("", 1)).rejects.toMatchObject({ code: "ERR_IVR_SESSION_VALUE" });
      await expect(s.get(42 as unknown as string)).rejects.toMatchObject({ code: "ERR_IVR_SESSION_VALUE" });
    });
  });

  it("a key named __proto__ is data, not the prototype", async () => {
    const store = makeStore();
    const all = await withSession(store, "CA1", async (s) => {
      await s.set("__proto__", { polluted: true });
      return s.getAll();
    });
    expect(Object.getPrototypeOf(all)).toBe(Object.prototype);
    expect(Object.hasOwn(all, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("update replaces the whole data with what fn returns, and resolves with it", async () => {
    const store = makeStore();
    await withSession(store, "CA1", async (s) => {
      await s.set("a", 1);
      const written = await s.update((d) => ({ b: ((d.a as number) + 1) }));
      expect(written).toEqual({ b: 2 });
      expect(await s.getAll()).toEqual({ b: 2 });
    });
  });

  it("update: fn throwing writes nothing and passes the error on; returning a non-object or non-JSON is an error", async () => {
    const store = makeStore();
    await withSession(store, "CA1", async (s) => {
      await s.set("a", 1);
      const boom = new Error("boom");
      await expect(s.update(() => { throw boom; })).rejects.toBe(boom);
      await expect(s.update(() => undefined as unknown as Record<string, JsonValue>)).rejects.toMatchObject({ code: "ERR_IVR_SESSION_VALUE" });
      await expect(s.update(() => ({ when: new Date() as unknown as JsonValue }))).rejects.toMatchObject({ code: "ERR_IVR_SESSION_VALUE" });
      expect(await s.getAll()).toEqual({ a: 1 });
    });
  });

  it("100 concurrent async updates of one counter lose nothing", async () => {
    const store = makeStore();
    await withSession(store, "CA1", async (s) => {
      await Promise.all(
        Array.from({ length: 100 }, () =>
          s.update(async (d) => {
            // yield between read and write, so that the updates really interleave
            await new Promise((resolve) => setImmediate(resolve));
            return { ...d, n: ((d.n as number | undefined) ?? 0) + 1 };
          }),
        ),
      );
      expect(await s.get("n")).toBe(100);
    });
  });

  it("50 concurrent sets of different keys are all kept, alongside updates", async () => {
    const store = makeStore();
    await withSession(store, "CA1", async (s) => {
      await Promise.all([
        ...Array.from({ length: 50 }, (_, i) => s.set(`k${i}`, i)),
        ...Array.from({ length: 10 }, () => s.update((d) => ({ ...d, n: ((d.n as number | undefined) ?? 0) + 1 }))),
      ]);
      const all = await s.getAll();
      expect(all.n).toBe(10);
      for (let i = 0; i < 50; i++) expect(all[`k${i}`]).toBe(i);
    });
  });
});

describe("background writes", () => {
  it("a backgroundTrigger's write after the response is seen by the call's next request", async () => {
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const hold: State = {
      uri: "/hold",
      twimlFor: () => "<Response><Redirect>/check</Redirect></Response>",
      backgroundTrigger(_urlFor, _input, session) {
        setTimeout(() => {
          void session!.set("result", "sunny").then(finish);
        }, 30);
      },
    };
    const check: State = { uri: "/check", isEndState: true, twimlFor: async (_u, _i, s) => `<Response><Say>${String(await s!.get("result"))}</Say></Response>` };
    const app = buildApp([hold, check], devConfig({ sessions: {} }));
    await request(app).post("/hold").type("form").send("CallSid=CA1").expect(200);
    expect((await request(app).post("/check").type("form").send("CallSid=CA1")).text).toContain("<Say>undefined</Say>");
    await done;
    expect((await request(app).post("/check").type("form").send("CallSid=CA1")).text).toContain("<Say>sunny</Say>");
  });
});
