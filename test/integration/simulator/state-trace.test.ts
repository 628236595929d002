// The state trace: which states a request went through, told to the testing kit in this process
// (or to anyone, with `trace: true`), never to an ordinary caller.
import http from "node:http";
import fc from "fast-check";
import request from "supertest";
import { menu, type State } from "../../../src";
import { simulateCall } from "../../../src/testing";
import { decodeTrace, encodeTrace, processTraceKey, TRACE_HEADER } from "../../../src/trace";
import { buildApp, devConfig } from "../../helpers/app";
import { configError } from "../../helpers/errors";
import { listenLoopback } from "../../helpers/loopback";

const say = (text: string): string => `<Response><Say>${text}</Say><Hangup/></Response>`;
const weekday: State = { name: "WEEKDAY", isEndState: true, twimlFor: () => say("Weekday hours.") };
const weekend: State = { name: "WEEKEND", isEndState: true, twimlFor: () => say("Weekend hours.") };
// Non-renderable branching states never show on the wire: only the trace tells them.
const byDay: State = { name: "BY_DAY", transitionOut: () => weekday };
const hoursRouter: State = { name: "HOURS_ROUTER", transitionOut: () => byDay };
const broken: State = { name: "BROKEN", uri: "/broken", isEndState: true, twimlFor: () => Promise.reject(new Error("down")) };
const main = menu({
  name: "MAIN",
  uri: "/incoming",
  processTransitionUri: "/main",
  prompt: "For hours, press 1.",
  options: [{ keys: ["1"], to: hoursRouter }],
  onFailure: weekend,
});
const states = [main, hoursRouter, byDay, weekday, weekend, broken];

describe("the testing kit in this process learns every state a request went through", () => {
  it("in-process: the menu, both branching states, and the state that rendered, in order", async () => {
    const call = await simulateCall(buildApp(states), { uri: "/incoming" });
    await call.press("1");
    expect(call.lastSaid).toBe("Weekday hours.");
    expect(call.states).toEqual([
      { state: "MAIN", kind: "menu", fn: "twimlFor", menu: { keys: ["1"], phrases: [] } },
      { state: "MAIN", kind: "menu", fn: "transitionOut" },
      { state: "HOURS_ROUTER", kind: "branching", fn: "transitionOut" },
      { state: "BY_DAY", kind: "branching", fn: "transitionOut" },
      { state: "WEEKDAY", kind: "end", fn: "twimlFor" },
    ]);
  });

  it("a menu's retry is still the menu", async () => {
    const call = await simulateCall(buildApp(states), { uri: "/incoming" });
    await call.press("9");
    expect(call.states.slice(1)).toEqual([
      { state: "MAIN", kind: "menu", fn: "transitionOut" },
      { state: "MAIN", kind: "menu", fn: "twimlFor", menu: { keys: ["1"], phrases: [] } },
    ]);
  });

  it("a server listening on loopback tells a simulator in the same process", async () => {
    const server = await listenLoopback(() => buildApp(states));
    try {
      const call = await simulateCall(server.base, { uri: "/incoming" });
      await call.press("1");
      expect(call.states.map((s) => s.state)).toEqual(["MAIN", "MAIN", "HOURS_ROUTER", "BY_DAY", "WEEKDAY"]);
    } finally {
      await server.close();
    }
  });
});

describe("never told to an ordinary caller", () => {
  const app = buildApp(states);

  it("no header without the process's key, or with a wrong one", async () => {
    const plain = await request(app).post("/main").type("form").send({ Digits: "1" }).expect(200);
    expect(plain.headers[TRACE_HEADER]).toBeUndefined();
    const guessed = await request(app).post("/main").set(TRACE_HEADER, "0".repeat(32)).type("form").send({ Digits: "1" }).expect(200);
    expect(guessed.headers[TRACE_HEADER]).toBeUndefined();
  });

  it("with the key: the header, on errors too (set before the error middleware answers)", async () => {
    const ok = await request(app).post("/main").set(TRACE_HEADER, processTraceKey()).type("form").send({ Digits: "1" }).expect(200);
    expect(decodeTrace(ok.headers[TRACE_HEADER])?.map((s) => s.state)).toEqual(["MAIN", "HOURS_ROUTER", "BY_DAY", "WEEKDAY"]);
    const failed = await request(app).post("/broken").set(TRACE_HEADER, processTraceKey()).expect(500);
    expect(decodeTrace(failed.headers[TRACE_HEADER])).toEqual([{ state: "BROKEN", kind: "end", fn: "twimlFor" }]);
  });

  it("`trace: true` tells everyone (for a server in another process)", async () => {
    const open = buildApp(states, devConfig({ trace: true }));
    const res = await request(open).post("/incoming").expect(200);
    expect(decodeTrace(res.headers[TRACE_HEADER])).toEqual([{ state: "MAIN", kind: "menu", fn: "twimlFor", menu: { keys: ["1"], phrases: [] } }]);
  });

  it("`trace` must be a boolean", () => {
    expect(configError(() => buildApp(states, devConfig({ trace: "yes" as unknown as boolean })), "ERR_IVR_CONFIG_INVALID").message).toMatch(
      /config\.trace must be true or false \(default false\), got "yes"/,
    );
  });
});

describe("the header format", () => {
  it("property: any state names survive a real HTTP header and decode to the same steps", async () => {
    const step = fc.record({
      state: fc.string({ unit: "grapheme", maxLength: 40 }),
      kind: fc.constantFrom("menu" as const, "normal" as const, "end" as const, "asynchronous" as const, "branching" as const),
      fn: fc.constantFrom("transitionOut" as const, "twimlFor" as const, "backgroundTrigger" as const),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 8 }), async (steps) => {
        const server = http.createServer((_req, res) => {
          res.setHeader(TRACE_HEADER, encodeTrace(steps));
          res.end();
        });
        const res = await request(server).get("/");
        expect(decodeTrace(res.headers[TRACE_HEADER])).toEqual(steps);
      }),
      { numRuns: 50 },
    );
  });

  it.each([["not json"], ["%E0%A4%A"], [encodeURIComponent('{"state":"x"}')], [encodeURIComponent('[{"state":"x","kind":"other","fn":"twimlFor"}]')]])(
    "%p is not a trace",
    (header) => {
      expect(decodeTrace(header)).toBeUndefined();
    },
  );
});
