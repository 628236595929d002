import twilioIvr, { MemoryStore, type Config, type SessionStore, type State } from "../../src";
import { devConfig } from "../helpers/app";
import { configError } from "../helpers/errors";

const states: State[] = [{ uri: "/x", isEndState: true, twimlFor: () => "<Response/>" }];
const withSessions = (sessions: unknown): Config => devConfig({ sessions: sessions as Config["sessions"] });

describe("config.sessions", () => {
  it("accepts {} (the default MemoryStore), a store, a TTL and a status callback", () => {
    expect(() => twilioIvr(states, withSessions({}))).not.toThrow();
    expect(() => twilioIvr(states, withSessions({ store: new MemoryStore(), ttlSeconds: 600, statusCallbackUri: "/status" }))).not.toThrow();
  });

  it.each([
    ["not an object", true, /config\.sessions must be an object/],
    ["an array", [], /config\.sessions must be an object/],
    ["a store without compareAndSet", { store: { get: () => Promise.resolve(undefined), destroy: () => Promise.resolve() } }, /config\.sessions\.store must be a session store/],
    ["a store that is a string", { store: "redis://x" }, /config\.sessions\.store must be a session store/],
    ["a non-function patch", { store: { get() {}, compareAndSet() {}, destroy() {}, patch: 1 } }, /config\.sessions\.store/],
    ["ttlSeconds 0", { ttlSeconds: 0 }, /config\.sessions\.ttlSeconds must be a positive whole number of seconds, got 0/],
    ["ttlSeconds 1.5", { ttlSeconds: 1.5 }, /config\.sessions\.ttlSeconds .* got 1\.5/],
    ["ttlSeconds as a string", { ttlSeconds: "60" }, /config\.sessions\.ttlSeconds .* got string/],
    ["a statusCallbackUri without a leading slash", { statusCallbackUri: "status" }, /config\.sessions\.statusCallbackUri must be a path starting with "\/", got "status"/],
  ])("rejects %s, naming the key", (_what, sessions, message) => {
    const error = configError(() => twilioIvr(states, withSessions(sessions)), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(message);
  });

  it("a store is checked by shape, not class: any object with the methods works", () => {
    const store: SessionStore = {
      get: () => Promise.resolve(undefined),
      compareAndSet: () => Promise.resolve(true),
      destroy: () => Promise.resolve(),
    };
    expect(() => twilioIvr(states, withSessions({ store }))).not.toThrow();
  });

  it("the status callback route conflicts with a state on the same path", () => {
    const error = configError(() => twilioIvr(states, withSessions({ statusCallbackUri: "/X/" })), "ERR_IVR_ROUTE_CONFLICT");
    expect(error.message).toContain("config.sessions.statusCallbackUri");
  });

  it("warns about an unknown key under sessions, with a did-you-mean", () => {
    const emitWarning = jest.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      twilioIvr(states, withSessions({ ttlseconds: 60 }));
      expect(emitWarning.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/config\.sessions\.ttlseconds.*did you mean `ttlSeconds`/)]);
    } finally {
      emitWarning.mockRestore();
    }
  });
});

describe("store.init", () => {
  it("is called once when the app is created, without waiting for it", () => {
    const init = jest.fn(() => new Promise<void>(() => undefined));
    const store: SessionStore = { get: () => Promise.resolve(undefined), compareAndSet: () => Promise.resolve(true), destroy: () => Promise.resolve(), init };
    expect(typeof twilioIvr(states, withSessions({ store }))).toBe("function");
    expect(init).toHaveBeenCalledTimes(1);
  });

  it("a rejected init is logged, never thrown nor unhandled: the app is still built", async () => {
    const store: SessionStore = {
      get: () => Promise.resolve(undefined),
      compareAndSet: () => Promise.resolve(true),
      destroy: () => Promise.resolve(),
      init: () => Promise.reject(new Error("redis is down")),
    };
    // An unhandled rejection would fail this test by itself (Jest's own check).
    expect(typeof twilioIvr(states, withSessions({ store }))).toBe("function");
    await new Promise((resolve) => setImmediate(resolve));
  });
});
