import { simulateCall } from "../../../src/testing";
import { heard, twiml, twimlApp } from "../../helpers/twiml-app";


describe("<Say>", () => {
  it("records text, loop (default 1), voice and language, in order", async () => {
    const t = twimlApp({
      "/start": twiml('<Say voice="Polly.Joanna" loop="2">Hello   there,\n  caller</Say><Say language="fr-FR">Bonjour</Say><Say>Last</Say>'),
    });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(heard(call.transcript)).toEqual([
      { type: "say", text: "Hello there, caller", loop: 2, voice: "Polly.Joanna" },
      { type: "say", text: "Bonjour", loop: 1, language: "fr-FR" },
      { type: "say", text: "Last", loop: 1 },
      { type: "end" },
    ]);
    expect(call.said).toEqual(["Hello there, caller", "Bonjour", "Last"]);
    expect(call.lastSaid).toBe("Last");
  });

  it("decodes entities in the text", async () => {
    const t = twimlApp({ "/start": twiml("<Say>Fish &amp; chips &lt;today&gt;</Say>") });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(call.lastSaid).toBe("Fish & chips <today>");
  });

  it("leaves lastSaid undefined when nothing was said", async () => {
    const t = twimlApp({ "/start": twiml("<Pause/>") });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(call.lastSaid).toBeUndefined();
    expect(call.said).toEqual([]);
  });
});

describe("<Play>", () => {
  it("defaults loop to 1 and resolves a relative URL against the document's URL", async () => {
    const t = twimlApp({
      "/menu/start": twiml('<Play>audio/intro.mp3</Play><Play loop="3">/root.mp3</Play><Play>https://cdn.example.com/a.mp3?x=1</Play>'),
    });
    const call = await simulateCall(t.app, { uri: "/menu/start" });
    expect(heard(call.transcript)).toEqual([
      { type: "play", url: "http://localhost/menu/audio/intro.mp3", loop: 1 },
      { type: "play", url: "http://localhost/root.mp3", loop: 3 },
      { type: "play", url: "https://cdn.example.com/a.mp3?x=1", loop: 1 },
      { type: "end" },
    ]);
    expect(call.played).toEqual(["http://localhost/menu/audio/intro.mp3", "http://localhost/root.mp3", "https://cdn.example.com/a.mp3?x=1"]);
  });

  it("plays digits from the digits attribute", async () => {
    const t = twimlApp({ "/start": twiml('<Play digits="ww1234#"/>') });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(heard(call.transcript)).toEqual([{ type: "play-digits", digits: "ww1234#" }, { type: "end" }]);
    expect(call.played).toEqual([]);
  });

  it('keeps the call up on a <Play loop="0"> until the caller hangs up', async () => {
    const t = twimlApp({ "/start": twiml('<Play loop="0">music.mp3</Play><Say>never reached</Say>') });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(call.ended).toBe(false);
    expect(call.waitingFor).toBe("forever");
    await call.silence();
    expect(call.ended).toBe(false);
    await call.hangUp();
    expect(call.ended).toBe(true);
    expect(call.said).toEqual([]);
    expect(t.requests).toHaveLength(1);
  });
});

describe("<Pause>", () => {
  it("defaults length to 1 second", async () => {
    const t = twimlApp({ "/start": twiml('<Pause/><Pause length="3"/>') });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(heard(call.transcript)).toEqual([{ type: "pause", seconds: 1 }, { type: "pause", seconds: 3 }, { type: "end" }]);
  });

  it("is recorded but not waited for by default: an hour-long pause ends at once", async () => {
    // Were it waited for, this test would run into Jest's timeout.
    const t = twimlApp({ "/start": twiml('<Pause length="3600"/><Say>After the pause</Say>') });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(heard(call.transcript)).toEqual([{ type: "pause", seconds: 3600 }, { type: "say", text: "After the pause", loop: 1 }, { type: "end" }]);
  });

  it("with pauseMs, waits pauseMs per second of pause before the next verb runs", async () => {
    let startedAt = 0;
    let redirectedAt = 0;
    const t = twimlApp({
      "/start": () => {
        startedAt = Date.now();
        return twiml('<Pause length="2"/><Redirect>/next</Redirect>');
      },
      "/next": () => {
        redirectedAt = Date.now();
        return twiml("<Say>Thanks for holding</Say>");
      },
    });
    const call = await simulateCall(t.app, { uri: "/start", pauseMs: 25 });
    expect(call.lastSaid).toBe("Thanks for holding");
    expect(heard(call.transcript)[0]).toEqual({ type: "pause", seconds: 2 });
    // 2 s x 25 ms; a timer never fires early, a few ms of slack cover clock granularity.
    expect(redirectedAt - startedAt).toBeGreaterThanOrEqual(45);
  });

  it("with pauseMs, a polling loop (<Pause> + <Redirect>) is paced by its pauses", async () => {
    const t = twimlApp({
      "/poll": (_req, count) => (count < 3 ? twiml('<Pause length="1"/><Redirect>/poll</Redirect>') : twiml("<Say>Ready</Say>")),
    });
    const started = Date.now();
    const call = await simulateCall(t.app, { uri: "/poll", pauseMs: 20 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(t.requestsTo("/poll")).toHaveLength(4);
    expect(heard(call.transcript).filter((e) => e.type === "pause")).toHaveLength(3);
    expect(call.lastSaid).toBe("Ready");
  });

  it("with pauseMs, pauses inside a <Gather> prompt and in hold music are waited for too", async () => {
    const t = twimlApp({
      "/menu": twiml('<Gather action="/chosen" numDigits="1"><Pause length="2"/><Say>Press a key</Say></Gather>'),
      "/hold": twiml('<Enqueue waitUrl="/wait">support</Enqueue>'),
      "/wait": twiml('<Pause length="2"/><Say>Still holding</Say>'),
    });
    let started = Date.now();
    const menu = await simulateCall(t.app, { uri: "/menu", pauseMs: 25 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(menu.waitingFor).toBe("gather");
    expect(menu.lastSaid).toBe("Press a key");

    started = Date.now();
    const hold = await simulateCall(t.app, { uri: "/hold", pauseMs: 25 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(hold.waitingFor).toBe("hold");
    expect(hold.lastSaid).toBe("Still holding");
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, "50", null])("rejects pauseMs %p with a TypeError naming the option", async (pauseMs) => {
    const t = twimlApp({ "/start": twiml("<Say>Hi</Say>") });
    const options = { uri: "/start", pauseMs } as unknown as Parameters<typeof simulateCall>[1];
    await expect(simulateCall(t.app, options)).rejects.toThrow(TypeError);
    await expect(simulateCall(t.app, options)).rejects.toThrow(/options\.pauseMs must be a non-negative finite number/);
    expect(t.requests).toHaveLength(0);
  });
});

describe("<Redirect>", () => {
  it("POSTs (the default method) to a URL resolved against the current document's URL", async () => {
    const t = twimlApp({
      "/a/b": twiml("<Say>one</Say><Redirect>next</Redirect><Say>never reached</Say>"),
      "/a/next": twiml("<Say>two</Say>"),
    });
    const call = await simulateCall(t.app, { uri: "/a/b" });
    expect(t.log()).toEqual(["POST /a/b", "POST /a/next"]);
    expect(heard(call.transcript)).toEqual([
      { type: "say", text: "one", loop: 1 },
      { type: "redirect", url: "http://localhost/a/next", method: "POST" },
      { type: "say", text: "two", loop: 1 },
      { type: "end" },
    ]);
    const redirected = t.requests[1]!;
    expect(redirected.body).toMatchObject({ CallSid: call.callSid, CallStatus: "in-progress" });
    expect(redirected.body.Digits).toBeUndefined();
  });

  it("GETs with method=GET, the parameters added to the URL's own query", async () => {
    const t = twimlApp({
      "/a/b/c": twiml('<Redirect method="GET">../x?y=1</Redirect>'),
      "/a/x": twiml("<Hangup/>"),
    });
    const call = await simulateCall(t.app, { uri: "/a/b/c" });
    const get = t.requests[1]!;
    expect(get.method).toBe("GET");
    expect(get.path).toBe("/a/x");
    expect(get.body).toEqual({});
    expect(get.query).toMatchObject({ y: "1", CallSid: call.callSid, CallStatus: "in-progress", Direction: "inbound" });
    expect(call.transcript).toContainEqual({ type: "redirect", url: "http://localhost/a/x?y=1", method: "GET" });
    expect(call.ended).toBe(true);
  });

  it("follows a chain of redirects within one step, each resolved against the document it is in", async () => {
    const t = twimlApp({
      "/one": twiml("<Redirect>/deep/two</Redirect>"),
      "/deep/two": twiml("<Redirect>three</Redirect>"),
      "/deep/three": twiml('<Gather action="four"/>'),
    });
    const call = await simulateCall(t.app, { uri: "/one" });
    expect(t.log()).toEqual(["POST /one", "POST /deep/two", "POST /deep/three"]);
    expect(call.waitingFor).toBe("gather");
    expect(call.transcript).toContainEqual(expect.objectContaining({ type: "gather", action: "http://localhost/deep/four" }));
  });
});

describe("<Hangup> and <Reject>", () => {
  it("<Hangup> ends the call; nothing after it runs", async () => {
    const t = twimlApp({ "/start": twiml("<Say>Bye</Say><Hangup/><Say>never reached</Say>") });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(call.ended).toBe(true);
    expect(call.waitingFor).toBe("ended");
    expect(call.lastSaid).toBe("Bye");
    expect(heard(call.transcript)).toEqual([{ type: "say", text: "Bye", loop: 1 }, { type: "hangup", by: "app" }]);
  });

  it("<Reject> ends the call with its reason, rejected by default", async () => {
    const busy = twimlApp({ "/start": twiml('<Reject reason="busy"/><Say>never reached</Say>') });
    const busyCall = await simulateCall(busy.app, { uri: "/start" });
    expect(busyCall.ended).toBe(true);
    expect(heard(busyCall.transcript)).toEqual([{ type: "reject", reason: "busy" }]);

    const plain = twimlApp({ "/start": twiml("<Reject/>") });
    const plainCall = await simulateCall(plain.app, { uri: "/start" });
    expect(plainCall.ended).toBe(true);
    expect(heard(plainCall.transcript)).toEqual([{ type: "reject", reason: "rejected" }]);
  });
});

describe("other verbs and the end of the document", () => {
  it('records valid verbs it does not simulate as "other", with attributes and text, and carries on', async () => {
    const t = twimlApp({
      "/start": twiml('<Say>a</Say><Echo/><Sms to="+15550001111">Your code is 42</Sms><Say>b</Say>'),
    });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(heard(call.transcript)).toEqual([
      { type: "say", text: "a", loop: 1 },
      { type: "other", verb: "Echo", attributes: {}, text: "" },
      { type: "other", verb: "Sms", attributes: { to: "+15550001111" }, text: "Your code is 42" },
      { type: "say", text: "b", loop: 1 },
      { type: "end" },
    ]);
    expect(call.ended).toBe(true);
  });

  it("ends the call when the document runs out of verbs", async () => {
    const t = twimlApp({ "/start": twiml("<Say>only this</Say>") });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(call.ended).toBe(true);
    expect(call.transcript.at(-1)).toEqual({ type: "end" });
  });

  it("ends the call on an empty <Response/>", async () => {
    const t = twimlApp({ "/start": '<?xml version="1.0"?><Response/>' });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(call.ended).toBe(true);
    expect(heard(call.transcript)).toEqual([{ type: "end" }]);
  });

  it("exposes the last TwiML document as text", async () => {
    const first = twiml('<Gather action="/second"/>');
    const second = twiml("<Say>second document</Say><Hangup/>");
    const t = twimlApp({ "/first": first, "/second": second });
    const call = await simulateCall(t.app, { uri: "/first" });
    expect(call.twiml).toBe(first);
    await call.press("1");
    expect(call.twiml).toBe(second);
  });

  it("records the status of every request in the transcript", async () => {
    const t = twimlApp({ "/start": twiml("<Redirect>/end</Redirect>"), "/end": twiml("<Hangup/>") });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(call.transcript.filter((e) => e.type === "request")).toEqual([
      { type: "request", method: "POST", url: "http://localhost/start", status: 200 },
      { type: "request", method: "POST", url: "http://localhost/end", status: 200 },
    ]);
  });
});
