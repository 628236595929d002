// Drop-in: an error thrown or rejected by the user's own transitionOut or twimlFor reaches the
// app's error middleware as that same object, with sessions off and on. Errors the library itself
// detects stay StateErrors with codes.
import type { ErrorRequestHandler, Express } from "express";
import request from "supertest";
import { SessionError, StateError, type Config, type State } from "../../../src";
import { buildApp, devConfig } from "../../helpers/app";

class TheirError extends Error {
  readonly status = 418;
  constructor(message: string) {
    super(message);
    this.name = "TheirError";
  }
}

function catching(app: Express): unknown[] {
  const seen: unknown[] = [];
  const handler: ErrorRequestHandler = (err, _req, res, _next) => {
    seen.push(err);
    const status = (err as { status?: number }).status ?? 500;
    res.status(status).send(err instanceof TheirError ? `theirs: ${err.message}` : "other");
  };
  app.use(handler);
  return seen;
}

const end: State = { name: "END", isEndState: true, twimlFor: () => "<Response/>" };

const configs: [string, Config][] = [
  ["sessions off", devConfig()],
  ["sessions on", devConfig({ sessions: {} })],
];

describe.each(configs)("user errors pass through unchanged (%s)", (_label, config) => {
  const cases: [string, (error: TheirError) => State[]][] = [
    ["transitionOut throws", (e) => [{ name: "M", uri: "/x", processTransitionUri: "/x/t", twimlFor: () => "", transitionOut: () => { throw e; } }]],
    ["transitionOut rejects", (e) => [{ name: "M", uri: "/x", processTransitionUri: "/x/t", twimlFor: () => "", transitionOut: () => Promise.reject(e) }]],
    ["twimlFor throws", (e) => [{ name: "E", uri: "/x", isEndState: true, twimlFor: () => { throw e; } }]],
    ["twimlFor rejects", (e) => [{ name: "E", uri: "/x", isEndState: true, twimlFor: () => Promise.reject(e) }]],
    ["a branching state's transitionOut rejects", (e) => [{ name: "B", uri: "/x", transitionOut: () => Promise.reject(e) }]],
  ];

  it.each(cases)("%s: the error middleware gets the same object", async (what, statesFor) => {
    const error = new TheirError(`boom from ${what}`);
    const app = buildApp(statesFor(error), config);
    const seen = catching(app);
    const path = what.startsWith("transitionOut") ? "/x/t" : "/x";
    const res = await request(app).post(path).type("form").send("CallSid=CA1");
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(error);
    expect(seen[0]).toBeInstanceOf(TheirError);
    expect(res.status).toBe(418);
    expect(res.text).toBe(`theirs: boom from ${what}`);
  });

  it("a rejection with a non-Error value arrives as that value", async () => {
    const reason = { status: 409, detail: "taken" };
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- apps do this
    const app = buildApp([{ uri: "/x", isEndState: true, twimlFor: () => Promise.reject(reason) }], config);
    const seen = catching(app);
    const res = await request(app).post("/x");
    expect(seen[0]).toBe(reason);
    expect(res.status).toBe(409);
  });

  it("errors the library detects are StateErrors with codes", async () => {
    const loopA: State = { name: "A", uri: "/loop", transitionOut: () => loopB };
    const loopB: State = { name: "B", transitionOut: () => loopA };
    const bad: State = { name: "BAD", uri: "/bad", transitionOut: () => ({ nope: true }) as unknown as State };
    const undef: State = { name: "UNDEF", uri: "/undef", isEndState: true, twimlFor: () => undefined as unknown as string };
    const app = buildApp([loopA, bad, undef, end], config);
    const seen = catching(app);
    await request(app).post("/loop");
    await request(app).post("/bad");
    await request(app).post("/undef");
    expect(seen.map((e) => [e instanceof StateError, (e as StateError).code, (e as StateError).stateName])).toEqual([
      [true, "ERR_IVR_TRANSITION", "B"],
      [true, "ERR_IVR_TRANSITION", "BAD"],
      [true, "ERR_IVR_RENDER", "UNDEF"],
    ]);
  });
});

describe("session errors reach the error middleware", () => {
  it("a request without a CallSid gets a session whose methods reject with ERR_IVR_SESSION_NO_CALL", async () => {
    const state: State = { uri: "/x", isEndState: true, twimlFor: async (_u, _i, session) => String(await session!.get("a")) };
    const app = buildApp([state], devConfig({ sessions: {} }));
    const seen = catching(app);
    await request(app).post("/x").type("form").send("From=%2B1555");
    expect(seen[0]).toBeInstanceOf(SessionError);
    expect((seen[0] as SessionError).code).toBe("ERR_IVR_SESSION_NO_CALL");
    expect((seen[0] as SessionError).message).toMatch(/no CallSid/);
  });

  it("without a CallSid, states that do not use the session still render", async () => {
    const app = buildApp([{ ...end, uri: "/x" }], devConfig({ sessions: {} }));
    await request(app).post("/x").expect(200, "<Response/>");
  });
});
