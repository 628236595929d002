import type { CallSession, InputData, State } from "./types";

/**
 * What a library-made state (a menu) may learn about the request besides the original's
 * arguments: user states never see it, so their argument lists stay exactly the original's.
 */
export interface TransitionRequest {
  /** The query string of the URL Twilio requested (signed by Twilio along with the path). */
  query: Readonly<Record<string, unknown>>;
}

/**
 * Key of a state's request-aware transition, used instead of `transitionOut` when present.
 * `Symbol.for`, so the CommonJS and ESM builds of the package agree on it.
 */
export const TRANSITION_WITH_REQUEST = Symbol.for("twilio-interactive-flow.transition-with-request");

export type TransitionWithRequest = (input: InputData | undefined, session: CallSession | undefined, request: TransitionRequest) => State | Promise<State>;

/** The state's request-aware transition, if it has one. */
export function transitionWithRequest(state: State): TransitionWithRequest | undefined {
  const hook: unknown = (state as unknown as Record<symbol, unknown>)[TRANSITION_WITH_REQUEST];
  return typeof hook === "function" ? (hook as TransitionWithRequest) : undefined;
}
