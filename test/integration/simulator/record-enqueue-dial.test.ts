import { simulateCall } from "../../../src/testing";
import { heard, twiml, twimlApp } from "../../helpers/twiml-app";

const SID = (prefix: string): RegExp => new RegExp(`^${prefix}[0-9a-f]{32}$`);


describe("<Dial>", () => {
  it("with an action, reports the dialled leg's outcome to it and runs its TwiML, not the verbs after the Dial", async () => {
    const t = twimlApp({
      "/start": twiml('<Dial action="/after-dial">+15551234567</Dial><Say>never reached</Say>'),
      "/after-dial": twiml("<Say>The call is over</Say><Hangup/>"),
    });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(t.log()).toEqual(["POST /start", "POST /after-dial"]);
    expect(t.requests[1]!.body).toMatchObject({
      CallSid: call.callSid,
      CallStatus: "in-progress",
      DialCallStatus: "completed",
      DialCallSid: expect.stringMatching(SID("CA")),
      DialCallDuration: expect.stringMatching(/^\d+$/),
    });
    expect(t.requests[1]!.body.DialCallSid).not.toBe(call.callSid);
    expect(heard(call.transcript)).toEqual([
      { type: "dial", to: "+15551234567", action: "http://localhost/after-dial" },
      { type: "say", text: "The call is over", loop: 1 },
      { type: "hangup", by: "app" },
    ]);
  });

  it("reports the dialCallStatus option, with the action's method", async () => {
    const t = twimlApp({
      "/calls/start": twiml('<Dial action="dialled" method="GET">+15551234567</Dial>'),
      "/calls/dialled": twiml("<Hangup/>"),
    });
    await simulateCall(t.app, { uri: "/calls/start", dialCallStatus: "busy" });
    const after = t.requests[1]!;
    expect(after.method).toBe("GET");
    expect(after.path).toBe("/calls/dialled");
    expect(after.query.DialCallStatus).toBe("busy");
  });

  it("without an action, continues with the next verb", async () => {
    const t = twimlApp({ "/start": twiml("<Dial>+15551234567</Dial><Say>after the dial</Say>") });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(t.requests).toHaveLength(1);
    expect(heard(call.transcript)).toEqual([
      { type: "dial", to: "+15551234567" },
      { type: "say", text: "after the dial", loop: 1 },
      { type: "end" },
    ]);
  });

  it("names the nouns it dials", async () => {
    const t = twimlApp({ "/start": twiml("<Dial><Number>+15551234567</Number><Client>alice</Client></Dial>") });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(call.transcript).toContainEqual({ type: "dial", to: "Number +15551234567, Client alice" });
  });
});

describe("<Record>", () => {
  const recordApp = (attributes: string, after = "") =>
    twimlApp({
      "/voicemail": twiml(`<Say>Leave a message</Say><Record ${attributes}/>${after}`),
      "/recorded": twiml("<Say>Thanks for your message</Say><Hangup/>"),
    });

  it("waits for the caller, then posts the recording parameters and the finishing key to the action", async () => {
    const t = recordApp('action="/recorded" maxLength="30"');
    const call = await simulateCall(t.app, { uri: "/voicemail" });
    expect(call.waitingFor).toBe("record");
    expect(call.transcript).toContainEqual({ type: "record", action: "http://localhost/recorded", method: "POST", maxLength: 30, playBeep: true });

    await call.press("#");
    const body = t.requestsTo("/recorded")[0]!.body;
    expect(body).toMatchObject({
      CallSid: call.callSid,
      CallStatus: "in-progress",
      RecordingSid: expect.stringMatching(SID("RE")),
      RecordingDuration: expect.stringMatching(/^\d+$/),
      Digits: "#",
    });
    expect(body.RecordingUrl).toBe(`https://api.twilio.com/2010-04-01/Accounts/${body.AccountSid}/Recordings/${body.RecordingSid}`);
    expect(call.lastSaid).toBe("Thanks for your message");
    expect(call.ended).toBe(true);
  });

  it("defaults the action to the current document (POST), maxLength to 3600 and playBeep to true", async () => {
    const t = twimlApp({
      "/voicemail": (req) => (req.body.RecordingUrl === undefined ? twiml("<Record/>") : twiml("<Say>saved</Say>")),
    });
    const call = await simulateCall(t.app, { uri: "/voicemail" });
    expect(call.transcript).toContainEqual({ type: "record", action: "http://localhost/voicemail", method: "POST", maxLength: 3600, playBeep: true });
    await call.press("5");
    expect(t.log()).toEqual(["POST /voicemail", "POST /voicemail"]);
    expect(t.requests[1]!.body.Digits).toBe("5");
    expect(call.lastSaid).toBe("saved");
  });

  it("ends on the first key of its finishOnKey; other keys are part of the recording", async () => {
    const t = recordApp('action="/recorded" finishOnKey="*"');
    const call = await simulateCall(t.app, { uri: "/voicemail" });
    await call.press("12*3");
    expect(t.requestsTo("/recorded")[0]!.body.Digits).toBe("*");
  });

  it("ends on silence, with no finishing key", async () => {
    const t = recordApp('action="/recorded" playBeep="false"');
    const call = await simulateCall(t.app, { uri: "/voicemail" });
    expect(call.transcript).toContainEqual(expect.objectContaining({ type: "record", playBeep: false }));
    await call.silence();
    const body = t.requestsTo("/recorded")[0]!.body;
    expect(body.RecordingUrl).toMatch(/^https:\/\/api\.twilio\.com\//);
    expect(body.Digits ?? "").toBe("");
  });

  it("sends the action with GET when method is GET", async () => {
    const t = recordApp('action="/recorded" method="GET"');
    const call = await simulateCall(t.app, { uri: "/voicemail" });
    await call.press("#");
    const get = t.requestsTo("/recorded")[0]!;
    expect(get.method).toBe("GET");
    expect(get.query).toMatchObject({ Digits: "#", RecordingSid: expect.stringMatching(SID("RE")) });
  });

  it("posts Digits=hangup to the action when the caller hangs up during the recording, and ends the call", async () => {
    const t = recordApp('action="/recorded"');
    const call = await simulateCall(t.app, { uri: "/voicemail" });
    await call.hangUp();
    expect(call.ended).toBe(true);
    const body = t.requestsTo("/recorded")[0]!.body;
    expect(body).toMatchObject({ Digits: "hangup", RecordingSid: expect.stringMatching(SID("RE")), CallStatus: "completed" });
    // The call is over: the action's TwiML is not played to anyone.
    expect(call.said).toEqual(["Leave a message"]);
    expect(call.transcript.at(-1)).toEqual({ type: "request", method: "POST", url: "http://localhost/recorded", status: 200 });
  });
});

describe("<Enqueue>", () => {
  const QUEUE_PARAMS = {
    QueueSid: expect.stringMatching(SID("QU")),
    QueuePosition: expect.stringMatching(/^\d+$/),
    QueueTime: expect.stringMatching(/^\d+$/),
    AvgQueueTime: expect.stringMatching(/^\d+$/),
    CurrentQueueSize: expect.stringMatching(/^\d+$/),
    MaxQueueSize: expect.stringMatching(/^\d+$/),
  };

  it("fetches the waitUrl with POST by default, plays its TwiML once, and waits on hold", async () => {
    const t = twimlApp({
      "/line/start": twiml('<Say>Please hold</Say><Enqueue waitUrl="wait">support</Enqueue><Say>never reached</Say>'),
      "/line/wait": twiml("<Say>You are next</Say><Play>music/hold.mp3</Play>"),
    });
    const call = await simulateCall(t.app, { uri: "/line/start" });
    expect(t.log()).toEqual(["POST /line/start", "POST /line/wait"]);
    expect(t.requests[1]!.body).toMatchObject({ CallSid: call.callSid, CallStatus: "in-progress", ...QUEUE_PARAMS });
    expect(heard(call.transcript)).toEqual([
      { type: "say", text: "Please hold", loop: 1 },
      { type: "enqueue", queue: "support", waitUrl: "http://localhost/line/wait" },
      { type: "say", text: "You are next", loop: 1 },
      { type: "play", url: "http://localhost/line/music/hold.mp3", loop: 1 },
    ]);
    expect(call.waitingFor).toBe("hold");
    expect(call.ended).toBe(false);
  });

  it("fetches the waitUrl with GET when waitUrlMethod is GET, the queue parameters in the query", async () => {
    const t = twimlApp({
      "/start": twiml('<Enqueue waitUrl="/hold-music?v=abc" waitUrlMethod="GET">support</Enqueue>'),
      "/hold-music": twiml('<Play loop="1000">/hold.mp3</Play>'),
    });
    const call = await simulateCall(t.app, { uri: "/start" });
    const get = t.requestsTo("/hold-music")[0]!;
    expect(get.method).toBe("GET");
    expect(get.body).toEqual({});
    expect(get.query).toMatchObject({ v: "abc", CallSid: call.callSid, ...QUEUE_PARAMS });
    expect(call.transcript).toContainEqual({ type: "play", url: "http://localhost/hold.mp3", loop: 1000 });
    expect(call.waitingFor).toBe("hold");
  });

  it("plays another pass of the waitUrl at each caller step, in the same queue", async () => {
    const t = twimlApp({
      "/start": twiml('<Enqueue waitUrl="/wait">support</Enqueue>'),
      "/wait": twiml("<Say>Still holding</Say>"),
    });
    const call = await simulateCall(t.app, { uri: "/start" });
    await call.silence();
    await call.press("1");
    const waits = t.requestsTo("/wait");
    expect(waits).toHaveLength(3);
    expect(new Set(waits.map((r) => r.body.QueueSid)).size).toBe(1);
    expect(call.said).toEqual(["Still holding", "Still holding", "Still holding"]);
    expect(call.waitingFor).toBe("hold");
  });

  it("waits on hold without requests when there is no waitUrl", async () => {
    const t = twimlApp({ "/start": twiml("<Enqueue>support</Enqueue>") });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(t.requests).toHaveLength(1);
    expect(heard(call.transcript)).toEqual([{ type: "enqueue", queue: "support" }]);
    expect(call.waitingFor).toBe("hold");
  });

  it("<Leave> in the wait TwiML requests the Enqueue action with QueueResult=leave, and runs its TwiML", async () => {
    const t = twimlApp({
      "/start": twiml('<Enqueue waitUrl="/wait" action="/left">support</Enqueue><Say>never reached</Say>'),
      "/wait": twiml("<Say>Nobody is available</Say><Leave/><Say>never reached either</Say>"),
      "/left": twiml("<Say>Please call back later</Say><Hangup/>"),
    });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(t.log()).toEqual(["POST /start", "POST /wait", "POST /left"]);
    const waitSid = t.requests[1]!.body.QueueSid;
    expect(t.requests[2]!.body).toMatchObject({ QueueResult: "leave", QueueSid: waitSid, QueueTime: expect.stringMatching(/^\d+$/) });
    expect(call.said).toEqual(["Nobody is available", "Please call back later"]);
    expect(call.transcript).toContainEqual({ type: "leave" });
    expect(call.ended).toBe(true);
  });

  it("<Leave> without an Enqueue action continues with the verb after the Enqueue", async () => {
    const t = twimlApp({
      "/start": twiml('<Enqueue waitUrl="/wait">support</Enqueue><Say>Out of the queue</Say>'),
      "/wait": twiml("<Leave/>"),
    });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(call.lastSaid).toBe("Out of the queue");
    expect(call.ended).toBe(true);
  });

  it("<Hangup> in the wait TwiML ends the call", async () => {
    const t = twimlApp({ "/start": twiml('<Enqueue waitUrl="/wait">support</Enqueue>'), "/wait": twiml("<Say>Closing</Say><Hangup/>") });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(call.ended).toBe(true);
    expect(call.transcript.at(-1)).toEqual({ type: "hangup", by: "app" });
  });

  it("hanging up on hold ends the call, reporting QueueResult=hangup to the action when there is one", async () => {
    const withAction = twimlApp({
      "/start": twiml('<Enqueue waitUrl="/wait" action="/left">support</Enqueue>'),
      "/wait": twiml("<Play>/hold.mp3</Play>"),
      "/left": twiml("<Say>not played: the caller is gone</Say>"),
    });
    const call = await simulateCall(withAction.app, { uri: "/start" });
    await call.hangUp();
    expect(call.ended).toBe(true);
    expect(withAction.requestsTo("/left")[0]!.body).toMatchObject({ QueueResult: "hangup", CallStatus: "completed" });
    expect(call.said).toEqual([]);

    const without = twimlApp({ "/start": twiml('<Enqueue waitUrl="/wait">support</Enqueue>'), "/wait": twiml("<Play>/hold.mp3</Play>") });
    const plain = await simulateCall(without.app, { uri: "/start" });
    await plain.hangUp();
    expect(plain.ended).toBe(true);
    expect(without.log()).toEqual(["POST /start", "POST /wait"]);
  });
});
