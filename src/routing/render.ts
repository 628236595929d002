import { StateError, type StateErrorCode } from "../errors";
import { errorMessage } from "../error-message";
import { log } from "../logger";
import {
  describeValue,
  isAsynchronousState,
  isNormalState,
  isRenderableState,
  stateName,
  stateProblems,
} from "../states";
import { notTwimlMessage, twimlToString } from "../twiml-result";
import { transitionWithRequest, type TransitionRequest } from "../state-hooks";
import type { RequestProgress } from "./progress";
import { runSteps, type MaybePromise, type Steps } from "./steps";
import type { CallSession, InputData, NormalState, RenderableState, State, UrlFor } from "../types";

/** What rendering needs from the app and the request. */
export interface RenderContext {
  urlFor: UrlFor;
  /** True when a POST route exists for the path (used to check a normal state's `processTransitionUri`). */
  hasRoute(path: string): boolean;
  /** The call's session, added as the last argument of every state function; undefined when sessions are off. */
  session?: CallSession | undefined;
  /** What a library-made state (a menu) may read of the request; never passed to user functions. */
  request?: TransitionRequest | undefined;
  /** Updated before each user function runs, so that a timeout can name the state it stopped in. */
  progress?: RequestProgress | undefined;
}

function enter(context: RenderContext, state: State, step: "transitionOut" | "twimlFor" | "backgroundTrigger"): void {
  context.progress?.enter(state, step);
}

/** `text` without the caller's input once the request entered a sensitive state. */
function redact(context: RenderContext, text: string): string {
  return context.progress === undefined ? text : context.progress.redact(text);
}

type Loose = (...args: unknown[]) => unknown;

/**
 * Calls one of the user's state functions with exactly the original's arguments, plus the session
 * when sessions are on. Whatever it throws or rejects with passes through untouched (apps check
 * `err instanceof TheirError`); it is only logged, with the state's name.
 */
function* callUser(state: State, method: "transitionOut" | "twimlFor", args: unknown[], context: RenderContext): Steps<unknown> {
  const fn = (state as unknown as Record<string, Loose>)[method] as Loose;
  enter(context, state, method);
  try {
    return yield context.session === undefined ? fn.apply(state, args) : fn.apply(state, [...args, context.session]);
  } catch (err) {
    log.error('%s of state "%s" failed: %s', method, stateName(state), redact(context, errorMessage(err)));
    throw err;
  }
}

/** An error the library itself detected, its message redacted for a sensitive request; logged, then returned for throwing. */
function detected(context: RenderContext, code: StateErrorCode, name: string, message: string): StateError {
  const error = new StateError(code, name, redact(context, message));
  log.error("%s", error.message);
  return error;
}

/** Calls `transitionOut(input)` and checks that what it returns is a valid state. */
function* nextStateAfter(state: State, input: InputData | undefined, context: RenderContext): Steps<State> {
  const hook = transitionWithRequest(state);
  if (hook !== undefined) enter(context, state, "transitionOut");
  const next =
    hook === undefined
      ? yield* callUser(state, "transitionOut", [input], context)
      : yield hook.call(state, input, context.session, context.request ?? { query: {} });
  const problems = stateProblems(next);
  if (problems.length > 0) {
    const from = stateName(state);
    // A sensitive state's result may be the caller's input itself, perhaps cut short: only its type is told.
    const what = context.progress?.sensitive === true && typeof next === "string" ? "a string" : describeValue(next);
    throw detected(context, "ERR_IVR_TRANSITION", from, `transitionOut of state "${from}" returned ${what}, which is not a valid state: it ${problems.join("; it ")}`);
  }
  return next as State;
}

/**
 * Starts a state's background work. It never blocks or breaks rendering: a synchronous throw and
 * a rejected promise are both logged with the state's name, and the state renders regardless.
 */
function startBackgroundWork(state: RenderableState, input: InputData | undefined, context: RenderContext): void {
  if (!isAsynchronousState(state)) return;
  const { urlFor, session } = context;
  enter(context, state, "backgroundTrigger");
  try {
    const result: unknown = session === undefined ? state.backgroundTrigger(urlFor, input) : state.backgroundTrigger(urlFor, input, session);
    if (typeof result === "object" && result !== null && "then" in result) {
      // Not awaited: background work never delays the caller. Promise.resolve also absorbs a
      // thenable whose `then` throws; any failure is logged, never unhandled.
      Promise.resolve(result).catch((err: unknown) => {
        log.error('backgroundTrigger of state "%s" failed: %s', stateName(state), redact(context, errorMessage(err)));
      });
    }
  } catch (err) {
    log.error('backgroundTrigger of state "%s" threw (the state renders anyway): %s', stateName(state), redact(context, errorMessage(err)));
  }
}

/**
 * Renders a state: follows non-renderable branching states to a renderable one, starts its
 * background work, and returns its TwiML: synchronously when every state function it calls
 * answers synchronously (see {@link runSteps}), else as a promise.
 * @param input - goes to the first `transitionOut` only, and to `twimlFor`/`backgroundTrigger`
 *   only when `start` is itself renderable.
 * @throws (or rejects with) what a state function threw, or a StateError the library detected.
 */
export function renderState(start: State, input: InputData | undefined, context: RenderContext): MaybePromise<string> {
  return runSteps(renderSteps(start, input, context));
}

/** Handles a POST to a normal state's `processTransitionUri`: `transitionOut(input)`, then render the result with no input. */
export function transitionFrom(state: NormalState, input: InputData, context: RenderContext): MaybePromise<string> {
  return runSteps(transitionSteps(state, input, context));
}

function* transitionSteps(state: NormalState, input: InputData, context: RenderContext): Steps<string> {
  const next = yield* nextStateAfter(state, input, context);
  return yield* renderSteps(next, undefined, context);
}

function* renderSteps(start: State, input: InputData | undefined, context: RenderContext): Steps<string> {
  let state: State = start;
  const visited: State[] = [];
  while (!isRenderableState(state)) {
    if (visited.includes(state)) {
      const cycle = [...visited.slice(visited.indexOf(state)), state].map((s) => `"${stateName(s)}"`).join(" -> ");
      throw detected(context, "ERR_IVR_TRANSITION", stateName(visited[visited.length - 1]), `non-renderable branching states form a loop that never renders: ${cycle}`);
    }
    visited.push(state);
    state = yield* nextStateAfter(state, visited.length === 1 ? input : undefined, context);
  }

  const renderable = state;
  const renderInput = isRenderableState(start) ? input : undefined;
  const name = stateName(renderable);
  if (isNormalState(renderable) && !context.hasRoute(renderable.processTransitionUri)) {
    throw detected(
      context,
      "ERR_IVR_RENDER",
      name,
      `state "${name}" has processTransitionUri ${JSON.stringify(renderable.processTransitionUri)}, but no route serves it: add the state to the states passed to twilioIvr()`,
    );
  }

  startBackgroundWork(renderable, renderInput, context);
  const twiml = yield* callUser(renderable, "twimlFor", [context.urlFor, renderInput], context);
  const body = twimlToString(twiml);
  if (body === undefined) throw detected(context, "ERR_IVR_RENDER", name, notTwimlMessage(`twimlFor of state "${name}"`, twiml));
  return body;
}
