/** One thing that happened on a simulated call, in order. */
export type TranscriptEntry =
  /** A webhook the simulator sent, and the HTTP status it got. */
  | { type: "request"; method: "GET" | "POST"; url: string; status: number }
  | { type: "say"; text: string; loop: number; voice?: string; language?: string }
  | { type: "play"; url: string; loop: number }
  /** `<Play digits="...">`: tones played into the call. */
  | { type: "play-digits"; digits: string }
  | { type: "pause"; seconds: number }
  /** The app asked for input (`<Gather>`); what the caller did comes in an `input` entry. */
  | { type: "gather"; input: readonly ("dtmf" | "speech")[]; timeout: number; action: string; method: "GET" | "POST" }
  /**
   * What the caller did at a Gather, Record or hold: keys, speech, or nothing. `sensitive`: it was
   * input to a `sensitive` state, so readable transcripts hide it (the entry keeps it for your asserts).
   */
  | { type: "input"; digits?: string; speech?: string; silence?: true; sensitive?: true }
  | { type: "redirect"; url: string; method: "GET" | "POST" }
  | { type: "record"; action: string; method: "GET" | "POST"; maxLength: number; playBeep: boolean }
  | { type: "dial"; to: string; action?: string }
  | { type: "enqueue"; queue: string; waitUrl?: string }
  | { type: "leave" }
  | { type: "reject"; reason: string }
  | { type: "hangup"; by: "app" | "caller" }
  /** The document ran out of verbs: Twilio ends the call. */
  | { type: "end" }
  /** A verb the simulator does not execute (e.g. `<Pay>`, `<Connect>`), recorded as written. */
  | { type: "other"; verb: string; attributes: Readonly<Record<string, string>>; text: string };

function quote(text: string): string {
  return JSON.stringify(text);
}

/** One line of a readable transcript. */
export function formatEntry(entry: TranscriptEntry): string {
  switch (entry.type) {
    case "request":
      return `-> ${entry.method} ${entry.url} (${entry.status})`;
    case "say":
      return `Say ${quote(entry.text)}${entry.loop === 1 ? "" : ` x${entry.loop === 0 ? "forever" : entry.loop}`}`;
    case "play":
      return `Play ${entry.url}${entry.loop === 1 ? "" : ` x${entry.loop === 0 ? "forever" : entry.loop}`}`;
    case "play-digits":
      return `Play digits ${entry.digits}`;
    case "pause":
      return `Pause ${entry.seconds}s`;
    case "gather":
      return `Gather ${entry.input.join("+")} (timeout ${entry.timeout}s) -> ${entry.method} ${entry.action}`;
    case "input":
      if (entry.sensitive === true && entry.digits !== undefined) return `Caller pressed ${entry.digits.length} ${entry.digits.length === 1 ? "key" : "keys"} (hidden: sensitive state)`;
      if (entry.sensitive === true && entry.speech !== undefined) return "Caller said something (hidden: sensitive state)";
      if (entry.digits !== undefined) return `Caller pressed ${entry.digits}`;
      if (entry.speech !== undefined) return `Caller said ${quote(entry.speech)}`;
      return "Caller stayed silent";
    case "redirect":
      return `Redirect -> ${entry.method} ${entry.url}`;
    case "record":
      return `Record (max ${entry.maxLength}s${entry.playBeep ? ", beep" : ""}) -> ${entry.method} ${entry.action}`;
    case "dial":
      return `Dial ${entry.to}${entry.action === undefined ? "" : ` -> ${entry.action}`}`;
    case "enqueue":
      return `Enqueue in ${quote(entry.queue)}${entry.waitUrl === undefined ? " (Twilio's default hold music)" : `, hold: ${entry.waitUrl}`}`;
    case "leave":
      return "Leave the queue";
    case "reject":
      return `Reject (${entry.reason})`;
    case "hangup":
      return entry.by === "app" ? "Hangup" : "Caller hung up";
    case "end":
      return "End of TwiML: call ends";
    case "other":
      return `<${entry.verb}> (not simulated)${entry.text === "" ? "" : ` ${quote(entry.text)}`}`;
  }
}

/** The whole transcript, one numbered line per entry. */
export function formatTranscript(entries: readonly TranscriptEntry[]): string {
  return entries.map((entry, i) => `${String(i + 1).padStart(3)}. ${formatEntry(entry)}`).join("\n");
}
