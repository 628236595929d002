// Production guards: a request's state functions are bounded by config.timeoutMs; config.onError
// answers a failure with TwiML; a background trigger never breaks rendering; an empty rejection is
// still an error.
import type { ErrorRequestHandler, Express } from "express";
import request from "supertest";
import twilio from "twilio";
import { MemoryStore, StateError, type Config, type SessionStore, type State } from "../../../src";
import { simulateCall } from "../../../src/testing";
import { buildApp, devConfig } from "../../helpers/app";
import { configError } from "../../helpers/errors";
import { captureDebugLogs } from "../../helpers/log-capture";

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
const end: State = { name: "END", isEndState: true, twimlFor: () => "<Response><Say>end</Say></Response>" };

function catching(app: Express): unknown[] {
  const seen: unknown[] = [];
  const handler: ErrorRequestHandler = (err, _req, res, _next) => {
    seen.push(err);
    res.status(500).type("text/plain").send("handled");
  };
  app.use(handler);
  return seen;
}

// An unhandled rejection fails the running test by itself (Jest's own check), so none is listened for here.
const logs = captureDebugLogs();

const hangs: [string, State, string, string, string][] = [
  ["twimlFor never settles", { name: "SLOW", uri: "/x", isEndState: true, twimlFor: () => never<string>() }, "/x", "twimlFor", "SLOW"],
  ["transitionOut never settles", { name: "STUCK", uri: "/x", transitionOut: () => never<State>() }, "/x", "transitionOut", "STUCK"],
];

describe("config.timeoutMs", () => {
  it.each(hangs)("%s: the error middleware gets ERR_IVR_TIMEOUT naming the state and function, within the bound", async (_what, state, path, step, name) => {
    const app = buildApp([state, end], devConfig({ timeoutMs: 60 }));
    const seen = catching(app);
    const started = Date.now();
    const res = await request(app).post(path);
    expect(res.status).toBe(500);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(seen[0]).toBeInstanceOf(StateError);
    expect(seen[0]).toMatchObject({ code: "ERR_IVR_TIMEOUT", stateName: name });
    expect((seen[0] as Error).message).toContain(`${step} of state "${name}" did not finish within 60 ms`);
    expect(logs().some((line) => line.includes(`state "${name}" did not finish`))).toBe(true);
  });

  it("a session store that hangs is bounded the same way", async () => {
    const hanging: SessionStore = { get: () => never(), compareAndSet: () => never(), destroy: () => never() };
    const state: State = { name: "READS", uri: "/x", isEndState: true, twimlFor: async (_u, _i, s) => String(await s!.get("a")) };
    const app = buildApp([state], devConfig({ timeoutMs: 60, sessions: { store: hanging } }));
    const seen = catching(app);
    await request(app).post("/x").type("form").send("CallSid=CA1").expect(500);
    expect(seen[0]).toMatchObject({ code: "ERR_IVR_TIMEOUT", stateName: "READS" });
  });

  it("a late result is dropped: no second answer, no crash, no unhandled rejection", async () => {
    let finish: (twiml: string) => void = () => undefined;
    let fail: (err: Error) => void = () => undefined;
    const late: State = { name: "LATE", uri: "/late", isEndState: true, twimlFor: () => new Promise<string>((resolve) => (finish = resolve)) };
    const lateFail: State = { name: "LATE_FAIL", uri: "/late-fail", isEndState: true, twimlFor: () => new Promise<string>((_r, reject) => (fail = reject)) };
    const app = buildApp([late, lateFail], devConfig({ timeoutMs: 40 }));
    const seen = catching(app);
    await request(app).post("/late").expect(500);
    await request(app).post("/late-fail").expect(500);
    finish("<Response/>");
    fail(new Error("too late"));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(seen).toHaveLength(2);
    // The app still answers normally afterwards.
    await request(app).post("/late").expect(500);
  });

  it("a state that answers in time is not affected", async () => {
    const quick: State = { name: "QUICK", uri: "/q", isEndState: true, twimlFor: () => new Promise((resolve) => setTimeout(() => { resolve("<Response/>"); }, 5)) };
    await request(buildApp([quick], devConfig({ timeoutMs: 500 }))).post("/q").expect(200, "<Response/>");
  });

  it.each([0, -1, Number.NaN, "10s"])("rejects timeoutMs %p naming the key", (timeoutMs) => {
    const error = configError(() => buildApp([end], devConfig({ timeoutMs: timeoutMs as number })), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.timeoutMs must be a positive number of milliseconds/);
  });

  it("warns when timeoutMs is not under Twilio's 15 s", () => {
    const emitWarning = jest.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      buildApp([{ ...end, uri: "/e" }], devConfig({ timeoutMs: 15_000 }));
      expect(emitWarning.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/config\.timeoutMs is 15000 ms.*15000 ms/)]);
    } finally {
      emitWarning.mockRestore();
    }
  });
});

describe("config.onError", () => {
  class Oops extends Error {}
  const broken: State = { name: "BROKEN", uri: "/broken", isEndState: true, twimlFor: () => Promise.reject(new Oops("db down")) };

  it("answers a failure with the TwiML it returns, and gets the error as thrown and the context", async () => {
    const onError = jest.fn<ReturnType<NonNullable<Config["onError"]>>, Parameters<NonNullable<Config["onError"]>>>((_err, { urlFor }) => {
      const response = new twilio.twiml.VoiceResponse();
      response.say("Sorry, something went wrong.");
      response.redirect({ method: "POST" }, urlFor("/broken"));
      return response;
    });
    const app = buildApp([broken], devConfig({ onError }));
    const seen = catching(app);
    const res = await request(app).post("/broken").type("form").send("CallSid=CA1");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/xml; charset=utf-8");
    expect(res.text).toContain("<Say>Sorry, something went wrong.</Say>");
    expect(seen).toEqual([]);
    const [err, context] = onError.mock.calls[0]!;
    expect(err).toBeInstanceOf(Oops);
    expect(context).toMatchObject({ stateName: "BROKEN", input: { CallSid: "CA1" } });
  });

  it("a caller never hears Twilio's generic error: a simulated call hears the apology instead", async () => {
    const app = buildApp([broken], devConfig({ timeoutMs: 50, onError: () => "<Response><Say>Sorry.</Say><Hangup/></Response>" }));
    const call = await simulateCall(app, { uri: "/broken" });
    expect(call.said).toEqual(["Sorry."]);
    expect(call.ended).toBe(true);
  });

  it("answers timeouts too", async () => {
    const slow: State = { name: "SLOW", uri: "/slow", isEndState: true, twimlFor: () => never<string>() };
    const onError = jest.fn(() => "<Response><Say>Sorry.</Say></Response>");
    const res = await request(buildApp([slow], devConfig({ timeoutMs: 40, onError }))).post("/slow");
    expect(res.text).toContain("Sorry.");
    expect(onError.mock.calls[0]).toEqual([expect.objectContaining({ code: "ERR_IVR_TIMEOUT" }), expect.anything()]);
  });

  it.each([
    ["throws", () => { throw new Error("onError broke"); }],
    ["returns undefined", () => undefined as unknown as string],
    ["never settles", () => never<string>()],
  ])("when onError %s, the original error goes to next(err)", async (_what, onError) => {
    const app = buildApp([broken], devConfig({ timeoutMs: 50, onError }));
    const seen = catching(app);
    await request(app).post("/broken").expect(500);
    expect(seen[0]).toBeInstanceOf(Oops);
  });

  it("is not used for the status callback, whose answer is not TwiML", async () => {
    const store = new MemoryStore();
    jest.spyOn(store, "destroy").mockRejectedValue(new Error("store down"));
    const onError = jest.fn(() => "<Response/>");
    const app = buildApp([end], devConfig({ onError, sessions: { store, statusCallbackUri: "/status" } }));
    const seen = catching(app);
    await request(app).post("/status").type("form").send("CallSid=CA1&CallStatus=completed").expect(500);
    expect(onError).not.toHaveBeenCalled();
    expect((seen[0] as Error).message).toBe("store down");
  });

  it("must be a function", () => {
    const error = configError(() => buildApp([end], devConfig({ onError: "<Response/>" as unknown as Config["onError"] })), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.onError must be a function/);
  });
});

describe("background triggers never break rendering", () => {
  it("one that throws synchronously is logged with the state's name, and the state renders", async () => {
    const state: State = {
      name: "NOTIFY",
      uri: "/n",
      twimlFor: () => "<Response><Say>hold on</Say></Response>",
      backgroundTrigger: () => {
        throw new Error("queue unreachable");
      },
    };
    await request(buildApp([state])).post("/n").expect(200, "<Response><Say>hold on</Say></Response>");
    expect(logs().some((line) => line.includes('backgroundTrigger of state "NOTIFY" threw') && line.includes("queue unreachable"))).toBe(true);
  });
});

describe("empty rejections", () => {
  it.each([undefined, null, 0, "", false])("a state function rejecting with %p reaches the error middleware as ERR_IVR_EMPTY_REJECTION, not a 404", async (value) => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the point of the test
    const state: State = { name: "EMPTY", uri: "/e", isEndState: true, twimlFor: () => Promise.reject(value) };
    const app = buildApp([state]);
    const seen = catching(app);
    await request(app).post("/e").expect(500);
    expect(seen[0]).toMatchObject({ code: "ERR_IVR_EMPTY_REJECTION", stateName: "EMPTY" });
    expect((seen[0] as Error).message).toContain('twimlFor of state "EMPTY" rejected with');
  });
});
