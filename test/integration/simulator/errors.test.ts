import { CallStepError, simulateCall } from "../../../src/testing";
import { twiml, twimlApp } from "../../helpers/twiml-app";
import type { Route } from "../../helpers/twiml-app";

/** The error `promise` rejects with; fails the test when it resolves or throws something else. */
async function stepError(promise: Promise<unknown>): Promise<CallStepError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(CallStepError);
  return error as CallStepError;
}

/** Starts a call on an app answering /start with `route`, expecting the first step to fail. */
async function firstStepError(route: Route) {
  const t = twimlApp({ "/start": route });
  const error = await stepError(simulateCall(t.app, { uri: "/start" }));
  return { t, error };
}

describe("HTTP failures (11200)", () => {
  it("fails the step on a non-200 answer, with the status and the body", async () => {
    const { error } = await firstStepError({ status: 500, type: "text/plain", body: "Internal trouble: database offline" });
    expect(error.code).toBe(11200);
    expect(error.message).toMatch(/11200/);
    expect(error.message).toMatch(/\b500\b/);
    expect(error.message).toContain("Internal trouble: database offline");
    expect(error.message).toContain("POST http://localhost/start");
  });

  it("fails a later step when an action answers 404, naming its URL", async () => {
    const t = twimlApp({ "/start": twiml('<Gather action="/missing" numDigits="1"><Say>Menu</Say></Gather>') });
    const call = await simulateCall(t.app, { uri: "/start" });
    const error = await stepError(call.press("1"));
    expect(error.code).toBe(11200);
    expect(error.message).toMatch(/\b404\b/);
    expect(error.message).toContain("http://localhost/missing");
    expect(error.message).toContain("no route for POST /missing");
  });

  it("fails on a 204 with no TwiML", async () => {
    const { error } = await firstStepError({ status: 204, body: "" });
    expect(error.code).toBe(11200);
    expect(error.message).toMatch(/\b204\b/);
  });
});

describe("TwiML Twilio would refuse", () => {
  it("fails with 12100 on a document that is not well-formed XML", async () => {
    const { error } = await firstStepError("<Response><Say>Hello</Response>");
    expect(error.code).toBe(12100);
    expect(error.message).toMatch(/12100/);
    expect(error.message).toContain("http://localhost/start");
  });

  it("fails with 12100 on an empty 200 answer", async () => {
    const { error } = await firstStepError("");
    expect(error.code).toBe(12100);
  });

  it("fails with 12200 on <Dial> inside <Gather>, naming the element's path", async () => {
    const { error } = await firstStepError(twiml('<Say>Hi</Say><Gather action="/x"><Say>Menu</Say><Dial>+15551234567</Dial></Gather>'));
    expect(error.code).toBe(12200);
    expect(error.element).toBe("Response/Gather[0]/Dial[0]");
    expect(error.message).toContain("Response/Gather[0]/Dial[0]");
    expect(error.message).toMatch(/Dial/);
  });

  it("fails with 12200 on an unknown verb, naming it", async () => {
    const { error } = await firstStepError(twiml("<Say>Hi</Say><Speak>Hello</Speak>"));
    expect(error.code).toBe(12200);
    expect(error.message).toContain("Speak");
    expect(error.element).toBe("Response/Speak[0]");
  });

  it("fails with 12200 on a verb written in the wrong case", async () => {
    const { error } = await firstStepError(twiml("<say>Hi</say>"));
    expect(error.code).toBe(12200);
    expect(error.message).toContain("say");
  });

  it("fails with 12200 on a root element other than <Response>", async () => {
    const { error } = await firstStepError("<Reply><Say>Hi</Say></Reply>");
    expect(error.code).toBe(12200);
    expect(error.message).toContain("Reply");
    expect(error.message).toContain("Response");
  });

  it("fails with 12200 on a bad attribute value", async () => {
    const { error } = await firstStepError(twiml('<Gather numDigits="zero"/>'));
    expect(error.code).toBe(12200);
    expect(error.message).toContain("numDigits");
  });

  it("fails with 12300 on a non-XML content type", async () => {
    const { error } = await firstStepError({ type: "application/json", body: '{"say":"hello"}' });
    expect(error.code).toBe(12300);
    expect(error.message).toMatch(/12300/);
    expect(error.message).toContain("application/json");
  });

  it("accepts TwiML served as application/xml or text/html, as Twilio does", async () => {
    for (const type of ["application/xml", "text/html; charset=utf-8"]) {
      const t = twimlApp({ "/start": { type, body: twiml("<Say>ok</Say>") } });
      const call = await simulateCall(t.app, { uri: "/start" });
      expect(call.lastSaid).toBe("ok");
    }
  });

  it("checks the waitUrl's TwiML too", async () => {
    const t = twimlApp({ "/start": twiml('<Enqueue waitUrl="/wait">q</Enqueue>'), "/wait": "<Response><Play>x.mp3</Response>" });
    const error = await stepError(simulateCall(t.app, { uri: "/start" }));
    expect(error.code).toBe(12100);
    expect(error.message).toContain("http://localhost/wait");
  });
});

describe("loops without caller input", () => {
  const loopApp = () =>
    twimlApp({
      "/a": twiml("<Redirect>/b</Redirect>"),
      "/b": twiml("<Say>around</Say><Redirect>/a</Redirect>"),
    });

  it("fails the step after maxRequestsPerStep requests, naming the loop, instead of hanging", async () => {
    const t = loopApp();
    const error = await stepError(simulateCall(t.app, { uri: "/a", maxRequestsPerStep: 6 }));
    expect(t.requests).toHaveLength(6);
    expect(error.message).toMatch(/loop/i);
    expect(error.message).toContain("POST http://localhost/a -> POST http://localhost/b");
  });

  it("bounds the loop at 25 requests by default", async () => {
    const t = loopApp();
    const error = await stepError(simulateCall(t.app, { uri: "/a" }));
    expect(t.requests).toHaveLength(25);
    expect(error.message).toMatch(/25/);
  });

  it("counts requests per step: a long call with caller input in between is fine", async () => {
    const t = twimlApp({
      "/menu": twiml('<Redirect>/hop1</Redirect>'),
      "/hop1": twiml("<Redirect>/hop2</Redirect>"),
      "/hop2": twiml('<Gather action="/menu" numDigits="1"/>'),
    });
    const call = await simulateCall(t.app, { uri: "/menu", maxRequestsPerStep: 3 });
    for (let i = 0; i < 5; i++) await call.press("1");
    expect(t.requests).toHaveLength(18);
    expect(call.waitingFor).toBe("gather");
  });

  it("fails a caller step whose action starts a loop", async () => {
    const t = twimlApp({
      "/start": twiml('<Gather action="/a" numDigits="1"/>'),
      "/a": twiml("<Redirect>/a</Redirect>"),
    });
    const call = await simulateCall(t.app, { uri: "/start", maxRequestsPerStep: 4 });
    const error = await stepError(call.press("1"));
    expect(error.message).toMatch(/loop/i);
    expect(t.requestsTo("/a")).toHaveLength(4);
  });

  it("rejects a maxRequestsPerStep that is not a positive integer", async () => {
    const t = loopApp();
    await expect(simulateCall(t.app, { uri: "/a", maxRequestsPerStep: 0 })).rejects.toThrow(TypeError);
    expect(t.requests).toHaveLength(0);
  });
});

describe("after a failed step", () => {
  it("the call has ended and later steps reject, sending nothing", async () => {
    const t = twimlApp({
      "/start": twiml('<Gather action="/broken" numDigits="1"><Say>Menu</Say></Gather>'),
      "/broken": { status: 500, body: "oops" },
    });
    const call = await simulateCall(t.app, { uri: "/start" });
    await stepError(call.press("1"));
    expect(call.ended).toBe(true);
    expect(call.waitingFor).toBe("ended");

    const later = await stepError(call.press("2"));
    expect(later.message).toMatch(/failed/i);
    await stepError(call.silence());
    await stepError(call.hangUp());
    expect(t.log()).toEqual(["POST /start", "POST /broken"]);
  });
});

describe("error messages", () => {
  it("end with a readable transcript of the call so far", async () => {
    const t = twimlApp({
      "/start": twiml('<Gather action="/next" numDigits="1"><Say>Welcome</Say></Gather>'),
      "/next": twiml("<Say>Checking</Say><Gather><Dial>+15551234567</Dial></Gather>"),
    });
    const call = await simulateCall(t.app, { uri: "/start" });
    const error = await stepError(call.press("4"));
    expect(error.code).toBe(12200);
    const tail = error.message.slice(error.message.indexOf("Call so far"));
    expect(tail.split("\n").slice(1)).toEqual([
      "  1. -> POST http://localhost/start (200)",
      "  2. Gather dtmf (timeout 5s) -> POST http://localhost/next",
      '  3. Say "Welcome"',
      "  4. Caller pressed 4",
      "  5. -> POST http://localhost/next (200)",
    ]);
  });

  it("show only the last entries of a long call", async () => {
    const t = twimlApp({
      "/start": twiml(`${"<Say>filler</Say>".repeat(20)}<Gather action="/bad"/>`),
      "/bad": { status: 503, body: "down" },
    });
    const call = await simulateCall(t.app, { uri: "/start" });
    const error = await stepError(call.press("1"));
    expect(error.message).toMatch(/Call so far \(last \d+ entries\)/);
    const lines = error.message.slice(error.message.indexOf("Call so far")).split("\n").slice(1);
    expect(lines.length).toBeLessThan(call.transcript.length);
    expect(lines.at(-1)).toMatch(/-> POST http:\/\/localhost\/bad \(503\)$/);
  });
});
