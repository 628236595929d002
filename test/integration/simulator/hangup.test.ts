import { CallStepError, simulateCall } from "../../../src/testing";
import { twiml, twimlApp } from "../../helpers/twiml-app";

/** A menu at /start whose action /choice hangs up; /status answers the status callback. */
function appWithStatus(choice = twiml("<Say>Goodbye</Say><Hangup/>")) {
  return twimlApp({
    "/start": twiml('<Gather action="/choice" numDigits="1"><Say>Menu</Say></Gather>'),
    "/choice": choice,
    "/status": { body: "" },
  });
}

describe("hangUp() and the status callback", () => {
  it("ends the call and sends the completed status callback with CallDuration", async () => {
    const t = appWithStatus();
    const call = await simulateCall(t.app, { uri: "/start", statusCallback: "/status" });
    await call.hangUp();

    expect(call.ended).toBe(true);
    expect(call.waitingFor).toBe("ended");
    expect(call.transcript).toContainEqual({ type: "hangup", by: "caller" });
    expect(t.log()).toEqual(["POST /start", "POST /status"]);
    expect(t.requests[1]!.body).toMatchObject({
      CallSid: call.callSid,
      AccountSid: t.requests[0]!.body.AccountSid,
      CallStatus: "completed",
      CallDuration: expect.stringMatching(/^\d+$/),
      Direction: "inbound",
    });
    // Hanging up at a Gather sends nothing to its action.
    expect(t.requestsTo("/choice")).toHaveLength(0);
  });

  it("sends the status callback with GET when statusCallbackMethod is GET", async () => {
    const t = appWithStatus();
    const call = await simulateCall(t.app, { uri: "/start", statusCallback: "/status", statusCallbackMethod: "GET" });
    await call.hangUp();
    const status = t.requestsTo("/status")[0]!;
    expect(status.method).toBe("GET");
    expect(status.query).toMatchObject({ CallStatus: "completed", CallSid: call.callSid, CallDuration: expect.stringMatching(/^\d+$/) });
  });

  it("sends the status callback when the app hangs up", async () => {
    const t = appWithStatus();
    const call = await simulateCall(t.app, { uri: "/start", statusCallback: "/status" });
    await call.press("1");
    expect(call.ended).toBe(true);
    expect(t.log()).toEqual(["POST /start", "POST /choice", "POST /status"]);
    expect(t.requests[2]!.body).toMatchObject({ CallStatus: "completed", CallSid: call.callSid });
  });

  it("sends the status callback when the call ends at the end of the TwiML, or on <Reject>", async () => {
    const ending = appWithStatus(twiml("<Say>That is all</Say>"));
    const ended = await simulateCall(ending.app, { uri: "/start", statusCallback: "/status" });
    await ended.press("1");
    expect(ending.requestsTo("/status")).toHaveLength(1);

    const rejecting = twimlApp({ "/start": twiml("<Reject/>"), "/status": { body: "" } });
    await simulateCall(rejecting.app, { uri: "/start", statusCallback: "/status" });
    expect(rejecting.log()).toEqual(["POST /start", "POST /status"]);
  });

  // https://www.twilio.com/docs/voice/twiml/reject: "If the first verb in a TwiML document is
  // <Reject>, Twilio will not pick up the call. The call ends with a status of busy or no-answer,
  // depending on the verb's reason attribute."
  it.each([
    ["busy", "busy"],
    ["rejected", "no-answer"],
  ])('reports a call rejected with reason="%s" as %s, not completed', async (reason, status) => {
    const t = twimlApp({ "/start": twiml(`<Reject reason="${reason}"/>`), "/status": { body: "" } });
    await simulateCall(t.app, { uri: "/start", statusCallback: "/status" });
    expect(t.requestsTo("/status")[0]!.body.CallStatus).toBe(status);
  });

  it("sends no status callback when none is configured", async () => {
    const t = appWithStatus();
    const call = await simulateCall(t.app, { uri: "/start" });
    await call.hangUp();
    expect(call.ended).toBe(true);
    expect(t.log()).toEqual(["POST /start"]);
  });

  it("sends the status callback once, however often hangUp() is called", async () => {
    const t = appWithStatus();
    const call = await simulateCall(t.app, { uri: "/start", statusCallback: "/status" });
    await call.hangUp();
    await call.hangUp();
    await call.press("1").catch(() => undefined);
    await call.hangUp().catch(() => undefined);
    expect(t.requestsTo("/status")).toHaveLength(1);
    expect(call.transcript.filter((e) => e.type === "hangup")).toHaveLength(1);
  });

  it("runs caller actions one at a time, in the order they were called", async () => {
    const t = twimlApp({
      "/start": twiml('<Gather action="/second" numDigits="1"/>'),
      "/second": twiml('<Gather action="/third" numDigits="1"/>'),
      "/third": twiml("<Say>third</Say><Hangup/>"),
    });
    const call = await simulateCall(t.app, { uri: "/start" });
    // Not awaited one by one: the second press must wait for the first step to finish.
    await Promise.all([call.press("1"), call.press("2")]);
    expect(t.log()).toEqual(["POST /start", "POST /second", "POST /third"]);
    expect(t.requestsTo("/second")[0]!.body.Digits).toBe("1");
    expect(t.requestsTo("/third")[0]!.body.Digits).toBe("2");
  });
});

describe("caller actions after the call ended", () => {
  it("reject with an error saying the call has ended, each time", async () => {
    const t = twimlApp({ "/start": twiml("<Say>Bye</Say><Hangup/>") });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(call.ended).toBe(true);

    for (const act of [() => call.press("1"), () => call.say("hello"), () => call.silence()]) {
      const error = await act().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(CallStepError);
      expect((error as Error).message).toMatch(/call has ended/i);
    }
    expect(t.requests).toHaveLength(1);
  });

  it("reject after the caller hung up", async () => {
    const t = appWithStatus();
    const call = await simulateCall(t.app, { uri: "/start" });
    await call.hangUp();
    await expect(call.press("1")).rejects.toThrow(/call has ended/i);
    expect(t.requestsTo("/choice")).toHaveLength(0);
  });
});
