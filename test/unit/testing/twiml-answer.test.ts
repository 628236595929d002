import { CallStepError, type FailStep } from "../../../src/testing/call-step-error";
import type { WebhookResponse } from "../../../src/testing/transport";
import { parseTwimlAnswer, singleVerbDocument, twimlAnswer } from "../../../src/testing/twiml-answer";

const request = { method: "POST", url: "http://localhost/menu" } as const;
const fail: FailStep = (message, code, element) => {
  throw new CallStepError(message, [], code, element);
};

function response(status: number, contentType: string | undefined, body: string): WebhookResponse {
  return { status, headers: contentType === undefined ? {} : { "content-type": contentType }, body, url: request.url };
}

function failure(run: () => unknown): CallStepError {
  try {
    run();
  } catch (err) {
    if (err instanceof CallStepError) return err;
    throw err;
  }
  throw new Error("expected a CallStepError");
}

describe("twimlAnswer", () => {
  it.each(["text/xml", "text/xml; charset=utf-8", "application/xml", "TEXT/HTML", "application/xhtml+xml"])("takes %s as TwiML", (type) => {
    expect(twimlAnswer(response(200, type, "<Response/>"), request, fail)).toEqual({ kind: "xml", xml: "<Response/>" });
  });

  it("takes an answer without a Content-Type as TwiML", () => {
    expect(twimlAnswer(response(200, undefined, "<Response/>"), request, fail)).toEqual({ kind: "xml", xml: "<Response/>" });
  });

  it("makes a Say of a text/plain answer, trimmed", () => {
    expect(twimlAnswer(response(200, "text/plain; charset=utf-8", "  We are closed.\n"), request, fail)).toEqual({ kind: "document", document: singleVerbDocument("Say", "We are closed.") });
  });

  it("makes a Play of the requested URL for an audio answer", () => {
    const answer = twimlAnswer(response(200, "audio/wav", "RIFF"), request, fail);
    expect(answer).toEqual({ kind: "document", document: singleVerbDocument("Play", "http://localhost/menu") });
  });

  it("fails with 11200 on a status other than 200, showing at most 500 characters of the body", () => {
    const error = failure(() => twimlAnswer(response(302, "text/xml", "x".repeat(600)), request, fail));
    expect(error.code).toBe(11200);
    expect(error.message.split("\n").slice(0, 2)).toEqual(["Twilio error 11200: POST http://localhost/menu answered HTTP 302, not 200.", `Body: ${"x".repeat(500)}`]);
  });

  it("fails with 12300 on a Content-Type that is not TwiML, text or audio", () => {
    const error = failure(() => twimlAnswer(response(200, "application/json", "{}"), request, fail));
    expect(error.code).toBe(12300);
    expect(error.message).toMatch(/^Twilio error 12300: POST http:\/\/localhost\/menu answered Content-Type "application\/json", not TwiML \(text\/xml\)\./);
  });
});

describe("singleVerbDocument", () => {
  it("is a Response holding one verb with the text", () => {
    expect(singleVerbDocument("Say", "Hello")).toEqual({
      name: "Response",
      attributes: {},
      text: "Hello",
      path: "Response",
      children: [{ name: "Say", attributes: {}, children: [], text: "Hello", path: "Response/Say[0]" }],
    });
  });
});

describe("parseTwimlAnswer", () => {
  it("parses valid TwiML", () => {
    expect(parseTwimlAnswer("<Response><Say>Hi</Say></Response>", request, fail).children.map((c) => c.name)).toEqual(["Say"]);
  });

  it("fails with the TwimlError's code and element, naming the request", () => {
    const error = failure(() => parseTwimlAnswer("<Response><Gather><Dial>+1</Dial></Gather></Response>", request, fail));
    expect(error.code).toBe(12200);
    expect(error.element).toBe("Response/Gather[0]/Dial[0]");
    expect(error.message).toMatch(/^Twilio error 12200: .*\n\(in the TwiML from POST http:\/\/localhost\/menu\)/s);
  });

  it("fails with 12100 on XML that is not well-formed", () => {
    expect(failure(() => parseTwimlAnswer("<Response><Say>", request, fail)).code).toBe(12100);
  });
});
