import type { TranscriptEntry } from "../testing";

export interface FormatOptions {
  /** Also show the HTTP requests and the app's control flow (gathers, redirects). */
  verbose: boolean;
  /** Show what the caller did (for piped input, which the terminal does not echo). */
  echoInput: boolean;
}

function times(loop: number): string {
  if (loop === 1) return "";
  return loop === 0 ? " (repeats forever)" : ` (x${loop})`;
}

/**
 * One line for what the caller hears (or, verbose, what happens behind the scenes), or
 * undefined when the entry is not shown.
 */
export function describeEntry(entry: TranscriptEntry, options: FormatOptions): string | undefined {
  switch (entry.type) {
    case "request":
      return options.verbose ? `  -> ${entry.method} ${entry.url} (${entry.status})` : undefined;
    case "say":
      return `Say: ${entry.text}${times(entry.loop)}`;
    case "play":
      return `Play: ${entry.url}${times(entry.loop)}`;
    case "play-digits":
      return `Play digits: ${entry.digits}`;
    case "pause":
      return `(pause ${entry.seconds}s)`;
    case "gather":
      return options.verbose ? `  Gather ${entry.input.join(" ")} (timeout ${entry.timeout}s) -> ${entry.method} ${entry.action}` : undefined;
    case "input":
      if (!options.echoInput) return undefined;
      if (entry.digits !== undefined) return `> ${entry.digits}`;
      if (entry.speech !== undefined) return `> say ${entry.speech}`;
      return "> (silence)";
    case "redirect":
      return options.verbose ? `  Redirect -> ${entry.method} ${entry.url}` : undefined;
    case "record":
      return `(recording${entry.playBeep ? " after the beep" : ""}, up to ${entry.maxLength}s)`;
    case "dial":
      return `Dialing ${entry.to}...${options.verbose && entry.action !== undefined ? ` (then ${entry.action})` : ""}`;
    case "enqueue":
      return `(on hold in queue "${entry.queue}")`;
    case "leave":
      return "(left the queue)";
    case "reject":
      return `Call rejected (${entry.reason})`;
    case "hangup":
      return entry.by === "app" ? "Hangup" : "You hung up.";
    case "end":
      return "(no more TwiML: Twilio hangs up)";
    case "other":
      return `(<${entry.verb}> is not simulated${entry.text === "" ? "" : `: ${entry.text}`})`;
  }
}

/** What the call waits for, as shown before reading the caller's next line. */
export function waitingLine(waitingFor: "gather" | "record" | "hold" | "forever", gather: readonly ("dtmf" | "speech")[] | undefined): string {
  switch (waitingFor) {
    case "gather": {
      const dtmf = gather?.includes("dtmf") ?? true;
      const speech = gather?.includes("speech") ?? false;
      if (dtmf && speech) return "(waiting for keys or speech...)";
      return speech ? '(waiting for speech: "say <words>"...)' : "(waiting for keys...)";
    }
    case "record":
      return "(recording: press a key, or an empty line, to stop)";
    case "hold":
      return '(on hold: an empty line waits for more hold music, "hangup" leaves)';
    case "forever":
      return '(this plays forever: "hangup" ends the call)';
  }
}
