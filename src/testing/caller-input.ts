import { makeSid } from "./call-params";
import type { TranscriptEntry } from "./transcript";
import type { TwimlNode } from "./twiml-node";
import { boolAttribute, intAttribute } from "./verb-attributes";

// What the caller's input at a <Gather> or <Record> makes Twilio send to the verb's action.

/** What the caller did, as the executor sees it. */
export type CallerInput = { kind: "keys"; keys: string } | { kind: "speech"; text: string } | { kind: "silence" };

/** The transcript entry for what the caller did; `sensitive` when it goes to a sensitive state. */
export function inputEntry(input: CallerInput, sensitive = false): Extract<TranscriptEntry, { type: "input" }> {
  const entry: Extract<TranscriptEntry, { type: "input" }> =
    input.kind === "keys" ? { type: "input", digits: input.keys } : input.kind === "speech" ? { type: "input", speech: input.text } : { type: "input", silence: true };
  if (sensitive && input.kind !== "silence") entry.sensitive = true;
  return entry;
}

/** The `<Gather>` a call waits at (see `SimulatedCall.gather`). */
export interface GatherInfo {
  /** What it listens for: `dtmf`, `speech`, or both. */
  input: readonly ("dtmf" | "speech")[];
  /** Keys it collects before it answers; absent when unlimited (the caller ends with `finishOnKey` or waits). */
  numDigits?: number;
  /** The key that ends an entry (Twilio's default `#`; "" for none). */
  finishOnKey: string;
  /** Its speech `hints`, split on commas. */
  hints: readonly string[];
}

/** What a caller needs to know of a `<Gather>`: what it listens for, how many keys, its finishing key, its speech hints. */
export function gatherInfo(node: TwimlNode): GatherInfo {
  const numDigits = intAttribute(node, "numDigits", 0);
  const hints = node.attributes.hints;
  return {
    input: gatherInputs(node),
    ...(numDigits > 0 ? { numDigits } : {}),
    finishOnKey: node.attributes.finishOnKey ?? "#",
    hints: hints === undefined ? [] : hints.split(",").map((h) => h.trim()).filter((h) => h !== ""),
  };
}

/** What a `<Gather>` listens for (its `input`, default `dtmf`), in the order dtmf, speech. */
export function gatherInputs(node: TwimlNode): ("dtmf" | "speech")[] {
  const words = (node.attributes.input ?? "dtmf").toLowerCase().split(/\s+/);
  return (["dtmf", "speech"] as const).filter((kind) => words.includes(kind));
}

/** The keys a `<Gather>` collects: up to `numDigits`, or up to a `finishOnKey` key (default `#`), which is reported apart. */
export function gatheredKeys(node: TwimlNode, keys: string): { digits: string; finishedOnKey: string } {
  const finishOnKey = node.attributes.finishOnKey ?? "#";
  const numDigits = intAttribute(node, "numDigits", Number.POSITIVE_INFINITY);
  let digits = "";
  for (const key of keys) {
    if (finishOnKey !== "" && finishOnKey.includes(key)) return { digits, finishedOnKey: key };
    digits += key;
    if (digits.length >= numDigits) break;
  }
  return { digits, finishedOnKey: "" };
}

/**
 * The parameters a `<Gather>` sends to its action for what the caller did, or undefined when
 * there is no request: Twilio then carries on with the verb after the Gather.
 * @param speechConfidence - the `Confidence` sent with speech
 */
export function gatherResult(node: TwimlNode, input: CallerInput, speechConfidence: number): Record<string, string> | undefined {
  const inputs = gatherInputs(node);
  if (input.kind === "keys" && inputs.includes("dtmf")) {
    const { digits, finishedOnKey } = gatheredKeys(node, input.keys);
    // Keys without a finishing key complete on the timeout, with the digits so far.
    if (digits !== "") return { Digits: digits, FinishedOnKey: finishedOnKey };
  } else if (input.kind === "speech" && inputs.includes("speech")) {
    return { SpeechResult: input.text, Confidence: String(speechConfidence) };
  }
  // No input the Gather takes: the action is requested only when it asks for empty results.
  return boolAttribute(node, "actionOnEmptyResult", false) ? {} : undefined;
}

/** The `Digits` a `<Record>` reports: the first key pressed that is in its `finishOnKey` (default any key), else "". */
export function recordFinishKey(node: TwimlNode, input: CallerInput): string {
  if (input.kind !== "keys") return "";
  const finishOnKey = node.attributes.finishOnKey ?? "1234567890*#";
  // The first key in finishOnKey ends the recording; other keys are recorded as sound.
  return Array.from(input.keys).find((key) => finishOnKey.includes(key)) ?? "";
}

/**
 * The parameters a `<Record>` sends to its action: a new recording (the caller is assumed to have
 * left a message) and `Digits`, the finishing key, "" or `hangup`.
 */
export function recordingParams(accountSid: string, digits: string): Record<string, string> {
  const recordingSid = makeSid("RE");
  return {
    RecordingSid: recordingSid,
    RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Recordings/${recordingSid}`,
    RecordingDuration: "5",
    Digits: digits,
  };
}
