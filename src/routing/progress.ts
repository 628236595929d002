import { callerInputValues, redactValues } from "../redact";
import { stateName } from "../states";
import { isSensitiveState, tracedStep } from "../trace";
import type { InputData, State, TracedStep } from "../types";

type Step = TracedStep["fn"];

/**
 * Where a request is in the user's code, kept up to date by the render loop: a timeout names the
 * state it stopped in, a trace lists the states it went through, and once it has entered a
 * `sensitive` state, the caller's input is redacted from what the library logs or throws.
 */
export class RequestProgress {
  /** True once the request entered a sensitive state. */
  sensitive = false;
  // Kept raw and described only when asked for (a trace, a timeout, an error): most requests never are.
  private readonly entered: [State, Step][] = [];

  constructor(private readonly input: InputData) {}

  /** The name of the state whose function runs (or ran last). */
  get stateName(): string | undefined {
    const last = this.entered.at(-1);
    return last === undefined ? undefined : stateName(last[0]);
  }

  /** Which of its functions, e.g. `twimlFor`. */
  get step(): Step | undefined {
    return this.entered.at(-1)?.[1];
  }

  /** Records that `fn` of `state` is about to run. */
  enter(state: State, fn: Step): void {
    this.entered.push([state, fn]);
    if (!this.sensitive && isSensitiveState(state)) this.sensitive = true;
  }

  /** The steps so far, for the trace header. */
  steps(): TracedStep[] {
    return this.entered.map(([state, fn]) => tracedStep(state, fn));
  }

  /** `text` without the caller's input when the request is sensitive. */
  redact(text: string): string {
    return this.sensitive ? redactValues(text, callerInputValues(this.input)) : text;
  }

  /**
   * Scrubs the caller's input from an error leaving a sensitive request: an Error's `message` and
   * `stack` are rewritten in place (the object stays the same, for `instanceof` and its own
   * properties), a thrown string is replaced. Anything else passes through unchanged.
   */
  scrub(err: unknown): unknown {
    if (!this.sensitive) return err;
    const values = callerInputValues(this.input);
    if (values.length === 0) return err;
    if (typeof err === "string") return redactValues(err, values);
    if (err instanceof Error) {
      for (const key of ["message", "stack"] as const) {
        const text = err[key];
        if (typeof text !== "string") continue;
        const clean = redactValues(text, values);
        if (clean === text) continue;
        try {
          err[key] = clean;
        } catch {
          // A frozen error keeps its text; the library's own log lines are redacted regardless.
        }
      }
    }
    return err;
  }
}
