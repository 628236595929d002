import { CallStepError, simulateCall } from "../../../src/testing";
import { twiml, twimlApp } from "../../helpers/twiml-app";

// Twilio's "Your response" rules: TwiML is executed, plain text is read aloud, audio is played;
// other content types are error 12300.
describe("answers that are not TwiML documents", () => {
  it("reads a text/plain answer aloud, then the call ends", async () => {
    const t = twimlApp({ "/start": { type: "text/plain", body: "  Sorry, we are closed.  " } });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(call.said).toEqual(["Sorry, we are closed."]);
    expect(call.ended).toBe(true);
  });

  it("plays an audio answer (the requested URL), then the call ends", async () => {
    const t = twimlApp({ "/start": { type: "audio/mpeg", body: "ID3" } });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(call.played).toEqual(["http://localhost/start"]);
    expect(call.ended).toBe(true);
  });

  it("fails with 12300 for a JSON answer", async () => {
    const t = twimlApp({ "/start": { type: "application/json", body: "{}" } });
    const error = await simulateCall(t.app, { uri: "/start" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallStepError);
    expect((error as CallStepError).code).toBe(12300);
  });
});

describe("hold TwiML with a <Redirect>", () => {
  it("follows it to the next hold document, sending the queue parameters again", async () => {
    const t = twimlApp({
      "/start": twiml('<Enqueue waitUrl="/hold">support</Enqueue>'),
      "/hold": twiml("<Say>Please hold.</Say><Redirect>/hold-2</Redirect>"),
      "/hold-2": twiml('<Play>/music.mp3</Play>'),
    });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(call.waitingFor).toBe("hold");
    expect(call.said).toEqual(["Please hold."]);
    expect(call.played).toEqual(["http://localhost/music.mp3"]);
    const [second] = t.requestsTo("/hold-2");
    expect(second?.body).toMatchObject({ QueueSid: expect.stringMatching(/^QU[0-9a-f]{32}$/), QueuePosition: "1" });
  });
});

describe("actions after the call ended", () => {
  it("keep rejecting with 'call has ended', not as a failed call, and hangUp stays harmless", async () => {
    const t = twimlApp({ "/start": twiml("<Hangup/>") });
    const call = await simulateCall(t.app, { uri: "/start" });
    await expect(call.press("1")).rejects.toThrow(/call has ended/);
    await expect(call.silence()).rejects.toThrow(/call has ended/);
    await expect(call.hangUp()).resolves.toBeUndefined();
    expect(t.requests).toHaveLength(1);
  });
});

describe("a server that cannot be reached", () => {
  it("fails the step with 11200 naming the URL", async () => {
    const error = await simulateCall("http://127.0.0.1:9/", { uri: "/incoming-call", timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallStepError);
    expect((error as CallStepError).code).toBe(11200);
    expect((error as CallStepError).message).toContain("POST http://127.0.0.1:9/incoming-call failed");
  });
});
