import { simulateCall } from "../../../src/testing";
import { listenLoopback, type Loopback } from "../../helpers/loopback";
import { twiml, twimlApp } from "../../helpers/twiml-app";

const SID = /^CA[0-9a-f]{32}$/;
const ACCOUNT = /^AC[0-9a-f]{32}$/;

/** A welcome menu whose Gather posts to /choice, which says goodbye and hangs up. */
function menuApp() {
  return twimlApp({
    "/incoming": twiml('<Gather action="/choice" numDigits="1"><Say>Welcome</Say></Gather>'),
    "/choice": twiml("<Say>Goodbye</Say><Hangup/>"),
  });
}

describe("simulateCall: the first webhook", () => {
  it("POSTs form-encoded the parameters Twilio sends for an inbound call, with CallStatus ringing", async () => {
    const t = menuApp();
    const call = await simulateCall(t.app, { uri: "/incoming" });

    expect(t.requests).toHaveLength(1);
    const first = t.requests[0]!;
    expect(first.method).toBe("POST");
    expect(first.path).toBe("/incoming");
    expect(first.query).toEqual({});
    expect(first.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(first.body).toEqual({
      AccountSid: expect.stringMatching(ACCOUNT),
      ApiVersion: "2010-04-01",
      CallSid: expect.stringMatching(SID),
      CallStatus: "ringing",
      Called: first.body.To,
      Caller: first.body.From,
      Direction: "inbound",
      From: expect.stringMatching(/^\+\d+$/),
      To: expect.stringMatching(/^\+\d+$/),
    });
    expect(first.body.From).not.toBe(first.body.To);
    expect(call.callSid).toBe(first.body.CallSid);
    expect(call.waitingFor).toBe("gather");
  });

  it("sends CallStatus in-progress on later requests, with the same CallSid and AccountSid", async () => {
    const t = menuApp();
    const call = await simulateCall(t.app, { uri: "/incoming" });
    await call.press("1");

    const [first, second] = t.requests;
    expect(t.log()).toEqual(["POST /incoming", "POST /choice"]);
    expect(second!.body).toMatchObject({
      CallStatus: "in-progress",
      CallSid: first!.body.CallSid,
      AccountSid: first!.body.AccountSid,
      From: first!.body.From,
      To: first!.body.To,
      Direction: "inbound",
      ApiVersion: "2010-04-01",
      Digits: "1",
    });
  });

  it("gives every call its own CallSid", async () => {
    const t = menuApp();
    const a = await simulateCall(t.app, { uri: "/incoming" });
    const b = await simulateCall(t.app, { uri: "/incoming" });
    expect(a.callSid).toMatch(SID);
    expect(b.callSid).toMatch(SID);
    expect(a.callSid).not.toBe(b.callSid);
  });

  it("uses the from and to options as From/Caller and To/Called", async () => {
    const t = menuApp();
    const call = await simulateCall(t.app, { uri: "/incoming", from: "+14155550100", to: "+18005550199" });
    await call.press("2");
    for (const req of t.requests) {
      expect(req.body).toMatchObject({ From: "+14155550100", Caller: "+14155550100", To: "+18005550199", Called: "+18005550199" });
    }
  });

  it("merges the params option into every webhook, overriding the defaults", async () => {
    const t = menuApp();
    const call = await simulateCall(t.app, {
      uri: "/incoming",
      params: { FromCity: "BOSTON", CallerName: "Ann Example", Direction: "outbound-api" },
    });
    await call.press("1");
    expect(t.requests).toHaveLength(2);
    for (const req of t.requests) {
      expect(req.body).toMatchObject({ FromCity: "BOSTON", CallerName: "Ann Example", Direction: "outbound-api" });
      expect(req.body.CallSid).toMatch(SID);
    }
  });

  it("uses the callSid and accountSid options", async () => {
    const t = menuApp();
    const callSid = `CA${"1".repeat(32)}`;
    const accountSid = `AC${"2".repeat(32)}`;
    const call = await simulateCall(t.app, { uri: "/incoming", callSid, accountSid });
    await call.press("1");
    expect(call.callSid).toBe(callSid);
    for (const req of t.requests) expect(req.body).toMatchObject({ CallSid: callSid, AccountSid: accountSid });
  });

  it("sends the first webhook as a GET with the parameters in the query when method is GET", async () => {
    const t = menuApp();
    await simulateCall(t.app, { uri: "/incoming?lang=en", method: "GET" });
    const first = t.requests[0]!;
    expect(first.method).toBe("GET");
    expect(first.body).toEqual({});
    expect(first.query).toMatchObject({ lang: "en", CallStatus: "ringing", Direction: "inbound", CallSid: expect.stringMatching(SID) });
  });

  it("rejects options without a uri", async () => {
    const t = menuApp();
    await expect(simulateCall(t.app, { uri: "" })).rejects.toThrow(/uri/);
    expect(t.requests).toHaveLength(0);
  });
});

describe("simulateCall: a running server as the target", () => {
  let server: Loopback;
  let base: string;
  const t = menuApp();

  beforeAll(async () => {
    server = await listenLoopback(() => t.app);
    base = server.base;
  });

  afterAll(() => server.close());

  it("walks a short call over HTTP against the server's URL", async () => {
    const call = await simulateCall(base, { uri: "/incoming" });
    expect(call.lastSaid).toBe("Welcome");
    await call.press("1");

    expect(call.ended).toBe(true);
    expect(call.lastSaid).toBe("Goodbye");
    expect(t.log()).toEqual(["POST /incoming", "POST /choice"]);
    for (const req of t.requests) expect(req.headers.host).toBe(base.slice("http://".length));
    const urls = call.transcript.flatMap((e) => (e.type === "request" ? [`${e.method} ${e.url} ${e.status}`] : []));
    expect(urls).toEqual([`POST ${base}/incoming 200`, `POST ${base}/choice 200`]);
  });
});
