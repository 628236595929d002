import readline from "node:readline";
import { CallStepError, simulateCall, type SimulatedCall, type TranscriptEntry } from "../testing";
import type { CallCommand } from "./args";
import { describeEntry, waitingLine } from "./format";
import { INPUT_HELP, LineQueue, parseCallerLine, type CallerAction } from "./input";

/** Where the terminal phone reads and writes. */
export interface PhoneIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Both ends are a terminal: show a `> ` prompt and let readline edit lines; input is not echoed. */
  interactive: boolean;
}

/** Failures to connect (or to get an answer), as Node reports them. */
const NETWORK_ERROR = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EPIPE)\b/;
const TIMEOUT = /no complete response within/;

function causeCode(err: Error): string | undefined {
  const cause: unknown = err.cause;
  if (typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string") return cause.code;
  return undefined;
}

/** "Twilio error NNNNN: ..." as the simulator words it, or with the HTTP retrieval failure code Twilio logs. */
function withTwilioCode(text: string, code: number | undefined): string {
  if (/Twilio error \d+/.test(text)) return text;
  return `Twilio error ${code ?? 11200}: ${text}`;
}

/** A hint for a webhook the server refused with 403 (a signature check), else undefined. */
export function signatureHint(failure: string, authToken: string | undefined): string | undefined {
  if (!/ answered HTTP 403[ ,]/.test(failure)) return undefined;
  return authToken === undefined
    ? "Hint: the server checks Twilio signatures: pass --auth-token or set TWILIO_AUTH_TOKEN."
    : "Hint: the server rejected the signature: is the auth token the server's, and the URL the one it expects?";
}

/** The message for a call that could not go on; names Twilio's error code when there is one. */
export function describeFailure(err: unknown, serverOrigin: string): string {
  if (!(err instanceof Error)) return `the call failed: ${String(err)}`;
  const code = err instanceof CallStepError ? err.code : undefined;
  // The first line says what failed; a step error goes on with the call so far.
  const [firstLine = "", ...rest] = err.message.split("\n");
  const callSoFar = rest.join("\n").trim();
  const details = callSoFar === "" || /^Call so far[^\n]*:$/.test(callSoFar) ? "" : `\n${rest.join("\n")}`;
  if (NETWORK_ERROR.test(causeCode(err) ?? "") || NETWORK_ERROR.test(firstLine)) {
    return `cannot reach the server at ${serverOrigin}: ${withTwilioCode(firstLine, code)}\nIs it running, and listening at that address?${details}`;
  }
  if (TIMEOUT.test(firstLine)) {
    return `the server did not answer in time: ${withTwilioCode(firstLine, code)}${details}`;
  }
  if (err instanceof CallStepError) {
    const prefix = code !== undefined && !err.message.includes(String(code)) ? `Twilio error ${code}: ` : "";
    return `the call failed: ${prefix}${err.message}`;
  }
  return `the call failed: ${err.message}`;
}

function lastGatherInputs(transcript: readonly TranscriptEntry[]): readonly ("dtmf" | "speech")[] | undefined {
  for (let i = transcript.length - 1; i >= 0; i--) {
    const entry = transcript[i];
    if (entry?.type === "gather") return entry.input;
  }
  return undefined;
}

/** A note when the Gather does not listen for what the caller does (Twilio treats it as no input). */
function unheardInput(action: CallerAction, inputs: readonly ("dtmf" | "speech")[] | undefined): string | undefined {
  if (inputs === undefined) return undefined;
  if (action.kind === "say" && !inputs.includes("speech")) return "(this <Gather> listens for keys only: your words count as no input)";
  if (action.kind === "press" && !inputs.includes("dtmf")) return "(this <Gather> listens for speech only: your keys count as no input)";
  return undefined;
}

/**
 * Runs one call: prints what the caller hears as it happens and feeds the caller's lines to the
 * call whenever it waits for them. Lines that arrive early are queued; at end of input the
 * caller hangs up.
 * @returns the exit code: 0 when the call ended, 1 when a step failed or the server cannot be reached.
 */
export async function runPhoneCall(command: CallCommand, io: PhoneIo): Promise<number> {
  const out = (line: string): void => {
    io.stdout.write(`${line}\n`);
  };
  const err = (line: string): void => {
    io.stderr.write(`${line}\n`);
  };
  const format = { verbose: command.verbose, echoInput: !io.interactive };

  const lines = new LineQueue();
  const rl = readline.createInterface(
    io.interactive ? { input: io.stdin, output: io.stdout, terminal: true, prompt: "> " } : { input: io.stdin, terminal: false },
  );
  rl.on("line", (line) => {
    lines.push(line);
  });
  rl.on("close", () => {
    lines.end();
  });
  // Ctrl+C at the prompt: hang up like Ctrl+D (readline would otherwise only pause).
  rl.on("SIGINT", () => {
    rl.close();
  });

  const firstUrl = new URL(command.uri, command.origin).toString();
  out(`Calling ${firstUrl}${command.authToken === undefined ? "" : " (requests signed with your auth token)"}`);
  if (io.interactive) out(`When the call waits for you, ${INPUT_HELP}.`);

  /** Shown right after the caller's next input. */
  let noteAfterInput: string | undefined;
  try {
    const call: SimulatedCall = await simulateCall(command.origin, {
      uri: command.uri,
      ...(command.from === undefined ? {} : { from: command.from }),
      ...(command.to === undefined ? {} : { to: command.to }),
      ...(command.authToken === undefined ? {} : { authToken: command.authToken }),
      ...(command.statusCallback === undefined ? {} : { statusCallback: command.statusCallback }),
      // A person is listening: a <Pause length="2"/> holds for two real seconds (a polling
      // "please hold" loop then paces itself as it would on a phone).
      pauseMs: 1000,
      onEntry: (entry) => {
        const line = describeEntry(entry, format);
        if (line !== undefined) out(line);
        if (entry.type === "input" && noteAfterInput !== undefined) {
          out(noteAfterInput);
          noteAfterInput = undefined;
        }
      },
    });

    let showWaiting = true;
    while (!call.ended) {
      const waitingFor = call.waitingFor;
      if (waitingFor === "ended") break;
      if (showWaiting) out(waitingLine(waitingFor, lastGatherInputs(call.transcript)));
      if (io.interactive) rl.prompt();
      const line = await lines.next();
      if (line === undefined) {
        // End of input: the caller puts the phone down.
        if (io.interactive) io.stdout.write("\n");
        await call.hangUp();
        break;
      }
      const action = parseCallerLine(line);
      showWaiting = action.kind !== "invalid";
      noteAfterInput = waitingFor === "gather" ? unheardInput(action, lastGatherInputs(call.transcript)) : undefined;
      switch (action.kind) {
        case "invalid":
          err(action.reason);
          break;
        case "press":
          await call.press(action.keys);
          break;
        case "say":
          await call.say(action.text);
          break;
        case "silence":
          await call.silence();
          break;
        case "hangup":
          await call.hangUp();
          break;
      }
    }
    out("(call ended)");
    if (lines.pending > 0) err(`(the call has ended: ${lines.pending} more line(s) of input were not used)`);
    return 0;
  } catch (error) {
    err(`twilio-interactive-flow: ${describeFailure(error, command.origin)}`);
    const hint = error instanceof CallStepError ? signatureHint(error.message, command.authToken) : undefined;
    if (hint !== undefined) err(hint);
    return 1;
  } finally {
    rl.close();
  }
}
