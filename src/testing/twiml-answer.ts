import type { FailStep } from "./call-step-error";
import type { WebhookResponse } from "./transport";
import { parseTwiml } from "./twiml-document";
import { TwimlError, type TwimlNode } from "./twiml-node";
import type { Method } from "./verb-attributes";

// How the app's answer to a webhook becomes the TwiML the call runs, with the Twilio error codes
// of answers it cannot use.

/** The request an answer came from, named in error messages. */
export interface AnsweredRequest {
  method: Method;
  url: string;
}

/** A usable answer: TwiML text still to be parsed, or a document Twilio makes of a non-XML answer. */
export type TwimlAnswer = { kind: "xml"; xml: string } | { kind: "document"; document: TwimlNode };

const XML_TYPES = /^(text\/xml|application\/xml|text\/html|application\/xhtml\+xml)\b/i;

/** A one-verb document, for answers Twilio treats as a verb (plain text is said, audio is played). */
export function singleVerbDocument(name: "Say" | "Play", text: string): TwimlNode {
  return { name: "Response", attributes: {}, text, path: "Response", children: [{ name, attributes: {}, children: [], text, path: `Response/${name}[0]` }] };
}

/** Checks the status and content type of an answer: 11200 unless 200, 12300 for a type that is not TwiML. */
export function twimlAnswer(response: WebhookResponse, { method, url }: AnsweredRequest, fail: FailStep): TwimlAnswer {
  if (response.status !== 200) {
    fail(`Twilio error 11200: ${method} ${url} answered HTTP ${response.status}, not 200.\nBody: ${response.body.slice(0, 500)}`, 11200);
  }
  const contentType = String(response.headers["content-type"] ?? "");
  // Twilio reads a text/plain answer aloud and plays an audio answer, then hangs up.
  if (/^text\/plain\b/i.test(contentType)) return { kind: "document", document: singleVerbDocument("Say", response.body.trim()) };
  if (/^audio\//i.test(contentType)) return { kind: "document", document: singleVerbDocument("Play", url) };
  if (contentType !== "" && !XML_TYPES.test(contentType)) {
    fail(`Twilio error 12300: ${method} ${url} answered Content-Type ${JSON.stringify(contentType)}, not TwiML (text/xml).`, 12300);
  }
  return { kind: "xml", xml: response.body };
}

/** Parses the TwiML of an answer; a document Twilio would refuse fails the step with its code (12100, 12200, 11750). */
export function parseTwimlAnswer(xml: string, { method, url }: AnsweredRequest, fail: FailStep): TwimlNode {
  try {
    return parseTwiml(xml);
  } catch (err) {
    if (err instanceof TwimlError) fail(`${err.message}\n(in the TwiML from ${method} ${url})`, err.code, err.element);
    throw err;
  }
}
