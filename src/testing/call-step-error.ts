import { formatTranscript, type TranscriptEntry } from "./transcript";

/** Why a step of the call failed: a TwiML error, an HTTP error, or a loop without caller input. */
export class CallStepError extends Error {
  /** Twilio's error code when there is one (11200 HTTP retrieval failure, 12100, 12200, 12300). */
  readonly code: number | undefined;
  /** The offending TwiML element's path, for TwiML errors. */
  readonly element: string | undefined;

  constructor(message: string, transcript: readonly TranscriptEntry[], code?: number, element?: string) {
    const tail = transcript.slice(-12);
    super(`${message}\n\nCall so far${tail.length < transcript.length ? " (last 12 entries)" : ""}:\n${formatTranscript(tail)}`);
    this.name = "CallStepError";
    this.code = code;
    this.element = element;
  }
}

/** Fails the current step: throws a {@link CallStepError} carrying the call's transcript so far. */
export type FailStep = (message: string, code?: number, element?: string) => never;
