import fc from "fast-check";
import { simulateCall } from "../../../src/testing";
import { twiml, twimlApp } from "../../helpers/twiml-app";
import type { ReceivedRequest } from "../../helpers/twiml-app";

const DONE = twiml("<Say>done</Say><Hangup/>");

/** A call at `<Gather ${attributes}>` on /menu, whose action (default /done) answers DONE. */
async function atGather(attributes: string, after = "") {
  const t = twimlApp({ "/menu": twiml(`<Gather ${attributes}><Say>Enter your code</Say></Gather>${after}`), "/done": DONE });
  const call = await simulateCall(t.app, { uri: "/menu" });
  expect(call.waitingFor).toBe("gather");
  return { t, call };
}

/** The single request /done received. */
function actionRequest(requests: ReceivedRequest[]): ReceivedRequest {
  const got = requests.filter((r) => r.path === "/done");
  expect(got).toHaveLength(1);
  return got[0]!;
}

describe("<Gather>: where the input goes", () => {
  it("waits for the caller, recording the Gather with Twilio's defaults (dtmf, timeout 5, POST) before its prompts", async () => {
    const { t, call } = await atGather('action="/done"');
    expect(call.transcript).toEqual([
      { type: "request", method: "POST", url: "http://localhost/menu", status: 200 },
      { type: "gather", input: ["dtmf"], timeout: 5, action: "http://localhost/done", method: "POST" },
      { type: "say", text: "Enter your code", loop: 1 },
    ]);
    expect(call.ended).toBe(false);
    expect(t.requests).toHaveLength(1);
  });

  it("posts the input to the current document's URL when there is no action", async () => {
    const t = twimlApp({
      "/menu": (req) => (req.body.Digits === undefined ? twiml('<Gather numDigits="1"/>') : twiml(`<Say>You chose ${req.body.Digits}</Say>`)),
    });
    const call = await simulateCall(t.app, { uri: "/menu" });
    await call.press("5");
    expect(t.log()).toEqual(["POST /menu", "POST /menu"]);
    expect(t.requests[1]!.body).toMatchObject({ Digits: "5", CallStatus: "in-progress", CallSid: call.callSid });
    expect(call.lastSaid).toBe("You chose 5");
  });

  it("keeps the document's query in the default action URL", async () => {
    const t = twimlApp({
      "/menu": (req) => (req.body.Digits === undefined ? twiml('<Gather numDigits="1"/>') : twiml("<Hangup/>")),
    });
    const call = await simulateCall(t.app, { uri: "/menu?step=2" });
    await call.press("3");
    expect(t.requests.map((r) => r.url)).toEqual(["/menu?step=2", "/menu?step=2"]);
  });

  it("resolves a relative action against the document's URL", async () => {
    const t = twimlApp({ "/ivr/menu": twiml('<Gather action="choice" numDigits="1"/>'), "/ivr/choice": DONE });
    const call = await simulateCall(t.app, { uri: "/ivr/menu" });
    await call.press("1");
    expect(t.log()).toEqual(["POST /ivr/menu", "POST /ivr/choice"]);
  });

  it("sends the parameters in the query string, with no body, when method is GET", async () => {
    const t = twimlApp({ "/menu": twiml('<Gather action="/done?from=menu" method="GET" numDigits="2"/>'), "/done": DONE });
    const call = await simulateCall(t.app, { uri: "/menu" });
    await call.press("42");
    const get = actionRequest(t.requests);
    expect(get.method).toBe("GET");
    expect(get.body).toEqual({});
    expect(get.query).toMatchObject({ from: "menu", Digits: "42", CallSid: call.callSid, CallStatus: "in-progress" });
    expect(call.lastSaid).toBe("done");
  });

  it("records the timeout and input attributes as written", async () => {
    const { call } = await atGather('action="/done" timeout="12" input="speech dtmf"');
    expect(call.transcript).toContainEqual({ type: "gather", input: ["dtmf", "speech"], timeout: 12, action: "http://localhost/done", method: "POST" });
  });
});

describe("<Gather>: keys", () => {
  it("cuts the keys at numDigits", async () => {
    const { t, call } = await atGather('action="/done" numDigits="3"');
    await call.press("12345");
    expect(actionRequest(t.requests).body.Digits).toBe("123");
  });

  it("ends input on # by default, which is not part of Digits", async () => {
    const { t, call } = await atGather('action="/done"');
    await call.press("1234#");
    const body = actionRequest(t.requests).body;
    expect(body.Digits).toBe("1234");
    expect(body.FinishedOnKey).toBe("#");
  });

  it("ignores keys after the finishing key", async () => {
    const { t, call } = await atGather('action="/done"');
    await call.press("12#34");
    expect(actionRequest(t.requests).body.Digits).toBe("12");
  });

  it("uses another finishOnKey, keeping # as an ordinary key", async () => {
    const { t, call } = await atGather('action="/done" finishOnKey="*"');
    await call.press("1#2*9");
    const body = actionRequest(t.requests).body;
    expect(body.Digits).toBe("1#2");
    expect(body.FinishedOnKey).toBe("*");
  });

  it('has no finishing key with finishOnKey="" (# is collected)', async () => {
    const { t, call } = await atGather('action="/done" finishOnKey=""');
    await call.press("12#");
    expect(actionRequest(t.requests).body.Digits).toBe("12#");
  });

  it("submits the keys pressed so far when the Gather times out before numDigits", async () => {
    const { t, call } = await atGather('action="/done" numDigits="4"');
    await call.press("12");
    expect(actionRequest(t.requests).body.Digits).toBe("12");
  });

  it("never sends more than numDigits keys, nor the finishing key, and always a prefix of what was pressed", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.constantFrom("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#"), minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom("#", "*", "0", ""),
        async (keys, numDigits, finishOnKey) => {
          const { t, call } = await atGather(`action="/done" numDigits="${numDigits}" finishOnKey="${finishOnKey}"`, "<Say>no input</Say>");
          await call.press(keys);
          const sent = t.requestsTo("/done");
          // The keys that count: up to the finishing key, at most numDigits of them.
          const cut = finishOnKey === "" ? keys : keys.split(finishOnKey)[0]!;
          const expected = cut.slice(0, numDigits);
          if (expected === "") {
            expect(sent).toHaveLength(0);
            expect(call.lastSaid).toBe("no input");
          } else {
            expect(sent).toHaveLength(1);
            expect(sent[0]!.body.Digits).toBe(expected);
            expect(call.lastSaid).toBe("done");
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe("<Gather>: speech", () => {
  it("sends SpeechResult and Confidence for what the caller said at a speech Gather", async () => {
    const { t, call } = await atGather('action="/done" input="speech"');
    await call.say("  sales please ");
    const body = actionRequest(t.requests).body;
    expect(body.SpeechResult).toBe("sales please");
    expect(Number(body.Confidence)).toBeGreaterThan(0);
    expect(Number(body.Confidence)).toBeLessThanOrEqual(1);
    expect(body.Digits).toBeUndefined();
    expect(call.transcript).toContainEqual({ type: "input", speech: "sales please" });
  });

  it("sends the speechConfidence option as Confidence", async () => {
    const t = twimlApp({ "/menu": twiml('<Gather action="/done" input="speech"/>'), "/done": DONE });
    const call = await simulateCall(t.app, { uri: "/menu", speechConfidence: 0.5 });
    await call.say("billing");
    expect(actionRequest(t.requests).body).toMatchObject({ SpeechResult: "billing", Confidence: "0.5" });
  });

  it('takes both keys and speech at input="dtmf speech"', async () => {
    const keys = await atGather('action="/done" input="dtmf speech" numDigits="1"');
    await keys.call.press("7");
    expect(actionRequest(keys.t.requests).body.Digits).toBe("7");

    const speech = await atGather('action="/done" input="dtmf speech" numDigits="1"');
    await speech.call.say("operator");
    expect(actionRequest(speech.t.requests).body.SpeechResult).toBe("operator");
  });

  it("treats keys at a speech-only Gather as silence: it carries on after the Gather", async () => {
    const { t, call } = await atGather('action="/done" input="speech"', "<Say>We did not hear you</Say><Hangup/>");
    await call.press("1");
    expect(t.requestsTo("/done")).toHaveLength(0);
    expect(call.lastSaid).toBe("We did not hear you");
    expect(call.ended).toBe(true);
  });

  it("treats speech at a dtmf-only Gather as silence", async () => {
    const { t, call } = await atGather('action="/done"', "<Say>Please use your keypad</Say>");
    await call.say("one");
    expect(t.requestsTo("/done")).toHaveLength(0);
    expect(call.lastSaid).toBe("Please use your keypad");
  });

  it("rejects an empty utterance and keys that are not on a phone", async () => {
    const { t, call } = await atGather('action="/done" input="dtmf speech"');
    await expect(call.say("   ")).rejects.toThrow(TypeError);
    await expect(call.press("12a")).rejects.toThrow(TypeError);
    await expect(call.press("")).rejects.toThrow(TypeError);
    expect(t.requests).toHaveLength(1);
    // Refused input does not end the call.
    await call.press("9#");
    expect(actionRequest(t.requests).body.Digits).toBe("9");
  });
});

describe("<Gather>: no input", () => {
  it("continues with the verb after the Gather when the caller stays silent", async () => {
    const t = twimlApp({
      "/menu": twiml('<Gather action="/done"><Say>Menu</Say></Gather><Say>We did not get that</Say><Redirect>/menu</Redirect>'),
      "/done": DONE,
    });
    const call = await simulateCall(t.app, { uri: "/menu" });
    await call.silence();
    expect(t.log()).toEqual(["POST /menu", "POST /menu"]);
    expect(call.said).toEqual(["Menu", "We did not get that", "Menu"]);
    expect(call.transcript).toContainEqual({ type: "input", silence: true });
    expect(call.waitingFor).toBe("gather");
  });

  it("ends the call when nothing follows the Gather", async () => {
    const { t, call } = await atGather('action="/done"');
    await call.silence();
    expect(t.requestsTo("/done")).toHaveLength(0);
    expect(call.ended).toBe(true);
    expect(call.transcript.at(-1)).toEqual({ type: "end" });
  });

  it('requests the action without Digits on silence when actionOnEmptyResult="true"', async () => {
    const { t, call } = await atGather('action="/done" actionOnEmptyResult="true"', "<Say>never reached</Say>");
    await call.silence();
    const body = actionRequest(t.requests).body;
    expect(body.Digits).toBeUndefined();
    expect(body.SpeechResult).toBeUndefined();
    expect(body.CallSid).toBe(call.callSid);
    expect(call.said).not.toContain("never reached");
    expect(call.lastSaid).toBe("done");
  });

  it('carries on after the Gather on silence when actionOnEmptyResult="false"', async () => {
    const { t, call } = await atGather('action="/done" actionOnEmptyResult="false"', "<Say>after</Say>");
    await call.silence();
    expect(t.requestsTo("/done")).toHaveLength(0);
    expect(call.lastSaid).toBe("after");
  });
});
