/**
 * The parameter names Twilio's voice webhooks send. A parsed name found here is this very string
 * (a literal, so the engine has interned it) instead of a fresh slice of the body: storing a
 * property under an interned name skips a string-table lookup per field, which in a busy server
 * (a large, cold table) was most of the cost of parsing a webhook.
 */
export const TWILIO_NAMES: readonly string[] = [
  "AccountSid", "ApiVersion", "ApplicationSid", "CallSid", "CallStatus", "CallToken", "CallerName", "Called", "CalledCity",
  "CalledCountry", "CalledState", "CalledZip", "Caller", "CallerCity", "CallerCountry", "CallerState", "CallerZip",
  "Direction", "ForwardedFrom", "From", "FromCity", "FromCountry", "FromState", "FromZip", "ParentCallSid", "StirVerstat",
  "StirPassportToken", "To", "ToCity", "ToCountry", "ToState", "ToZip", "Digits", "FinishedOnKey", "SpeechResult",
  "UnstableSpeechResult", "Stability", "Confidence", "Language", "msg", "CallDuration", "Duration", "Timestamp",
  "CallbackSource", "SequenceNumber", "AnsweredBy", "MachineDetectionDuration", "RecordingUrl", "RecordingSid",
  "RecordingDuration", "RecordingStatus", "RecordingChannels", "RecordingSource", "RecordingStartTime",
  "DialCallStatus", "DialCallSid", "DialCallDuration", "DialBridged", "QueueResult", "QueueSid", "QueueTime",
  "DequeuedCallSid", "DequeuedCallQueueTime", "DequeuingCallSid", "TranscriptionText", "TranscriptionStatus",
  "TranscriptionUrl", "TranscriptionSid", "SipCallId", "SipDomain", "SipDomainSid", "SipSourceIp", "CallerId",
];

const SLOTS = 128;

function slotOf(text: string, from: number, length: number): number {
  return (length * 7 + text.charCodeAt(from) * 31 + text.charCodeAt(from + length - 1) * 3 + text.charCodeAt(from + (length >> 1))) & (SLOTS - 1);
}

/** Indexes into TWILIO_NAMES by slot: a direct-mapped table, so a lookup is one hash and a compare or two. */
const table: (number[] | undefined)[] = new Array<number[] | undefined>(SLOTS).fill(undefined);
TWILIO_NAMES.forEach((name, index) => {
  (table[slotOf(name, 0, name.length)] ??= []).push(index);
});

/** The known name at `index` (as given by {@link knownNameIndex}). */
export function knownNameAt(index: number): string {
  return TWILIO_NAMES[index] as string;
}

/** The index of the known name spelled by `text[from, to)` (which holds no escapes), or -1. */
export function knownNameIndex(text: string, from: number, to: number): number {
  const length = to - from;
  if (length === 0) return -1;
  const candidates = table[slotOf(text, from, length)];
  if (candidates === undefined) return -1;
  for (const index of candidates) {
    const name = TWILIO_NAMES[index] as string;
    if (name.length === length && text.startsWith(name, from)) return index;
  }
  return -1;
}
