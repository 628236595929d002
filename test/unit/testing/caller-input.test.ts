import { gatherInputs, gatherResult, gatheredKeys, recordFinishKey, recordingParams, type CallerInput } from "../../../src/testing/caller-input";
import { parseTwiml } from "../../../src/testing/twiml-document";
import type { TwimlNode } from "../../../src/testing/twiml-node";

const verb = (xml: string): TwimlNode => parseTwiml(`<Response>${xml}</Response>`).children[0]!;
const keys = (pressed: string): CallerInput => ({ kind: "keys", keys: pressed });
const speech = (text: string): CallerInput => ({ kind: "speech", text });
const silence: CallerInput = { kind: "silence" };

describe("gatherInputs", () => {
  it("is dtmf by default", () => {
    expect(gatherInputs(verb("<Gather/>"))).toEqual(["dtmf"]);
  });

  it("lists dtmf before speech whatever the order written", () => {
    expect(gatherInputs(verb('<Gather input="speech dtmf"/>'))).toEqual(["dtmf", "speech"]);
    expect(gatherInputs(verb('<Gather input="speech"/>'))).toEqual(["speech"]);
  });
});

describe("gatheredKeys", () => {
  it("reports no finishing key when numDigits cuts the keys first", () => {
    expect(gatheredKeys(verb('<Gather numDigits="2"/>'), "123#")).toEqual({ digits: "12", finishedOnKey: "" });
  });

  it("collects nothing when the first key finishes", () => {
    expect(gatheredKeys(verb("<Gather/>"), "#12")).toEqual({ digits: "", finishedOnKey: "#" });
  });
});

describe("gatherResult", () => {
  it("sends Digits and FinishedOnKey for keys at a dtmf Gather", () => {
    expect(gatherResult(verb("<Gather/>"), keys("42#"), 0.9)).toEqual({ Digits: "42", FinishedOnKey: "#" });
  });

  it("sends SpeechResult and Confidence for speech at a speech Gather", () => {
    expect(gatherResult(verb('<Gather input="dtmf speech"/>'), speech("billing"), 0.75)).toEqual({ SpeechResult: "billing", Confidence: "0.75" });
  });

  it("has no request for input the Gather does not take, or for silence", () => {
    expect(gatherResult(verb('<Gather input="speech"/>'), keys("1"), 0.9)).toBeUndefined();
    expect(gatherResult(verb("<Gather/>"), speech("one"), 0.9)).toBeUndefined();
    expect(gatherResult(verb("<Gather/>"), silence, 0.9)).toBeUndefined();
  });

  it("treats only a finishing key as no input", () => {
    expect(gatherResult(verb("<Gather/>"), keys("#"), 0.9)).toBeUndefined();
  });

  it('requests the action with no parameters for no input when actionOnEmptyResult is true (any case)', () => {
    expect(gatherResult(verb('<Gather actionOnEmptyResult="TRUE"/>'), silence, 0.9)).toEqual({});
    expect(gatherResult(verb('<Gather actionOnEmptyResult="true"/>'), keys("#"), 0.9)).toEqual({});
    expect(gatherResult(verb('<Gather actionOnEmptyResult="true" input="speech"/>'), keys("5"), 0.9)).toEqual({});
  });
});

describe("recordFinishKey", () => {
  it("is the first key pressed when finishOnKey is not set (any key ends a recording)", () => {
    expect(recordFinishKey(verb("<Record/>"), keys("7#"))).toBe("7");
  });

  it("is the first key in finishOnKey, skipping keys that are recorded as sound", () => {
    expect(recordFinishKey(verb('<Record finishOnKey="#*"/>'), keys("12*#"))).toBe("*");
  });

  it("is empty when no pressed key finishes, and for speech or silence", () => {
    expect(recordFinishKey(verb('<Record finishOnKey="#"/>'), keys("123"))).toBe("");
    expect(recordFinishKey(verb("<Record/>"), speech("hello"))).toBe("");
    expect(recordFinishKey(verb("<Record/>"), silence)).toBe("");
  });
});

describe("recordingParams", () => {
  it("describes a new recording of the account, with the Digits given", () => {
    const params = recordingParams("AC0123", "hangup");
    expect(Object.keys(params)).toEqual(["RecordingSid", "RecordingUrl", "RecordingDuration", "Digits"]);
    expect(params.RecordingSid).toMatch(/^RE[0-9a-f]{32}$/);
    expect(params.RecordingUrl).toBe(`https://api.twilio.com/2010-04-01/Accounts/AC0123/Recordings/${params.RecordingSid}`);
    expect(params.RecordingDuration).toBe("5");
    expect(params.Digits).toBe("hangup");
  });

  it("makes a new RecordingSid each time", () => {
    expect(recordingParams("AC1", "").RecordingSid).not.toBe(recordingParams("AC1", "").RecordingSid);
  });
});
