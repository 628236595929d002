import { StateError } from "../errors";
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
import type { InputData, NormalState, RenderableState, State, UrlFor } from "../types";

/** What rendering needs from the app and the request. */
export interface RenderContext {
  urlFor: UrlFor;
  /** True when a POST route exists for the path (used to check a normal state's `processTransitionUri`). */
  hasRoute(path: string): boolean;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Calls `transitionOut(input)` and checks that what it returns is a valid state. */
async function nextStateAfter(state: State, input: InputData | undefined): Promise<State> {
  const from = stateName(state);
  let next: unknown;
  try {
    next = await (state as { transitionOut: (input: InputData | undefined) => unknown }).transitionOut(input);
  } catch (err) {
    throw new StateError("ERR_IVR_TRANSITION", from, `transitionOut of state "${from}" failed: ${messageOf(err)}`, err);
  }
  const problems = stateProblems(next);
  if (problems.length > 0) {
    throw new StateError(
      "ERR_IVR_TRANSITION",
      from,
      `transitionOut of state "${from}" returned ${describeValue(next)}, which is not a valid state: it ${problems.join("; it ")}`,
    );
  }
  return next as State;
}


function startBackgroundWork(state: RenderableState, urlFor: UrlFor, input: InputData | undefined): void {
  if (!isAsynchronousState(state)) return;
  const result: unknown = state.backgroundTrigger(urlFor, input);
  if (typeof result === "object" && result !== null && typeof (result as PromiseLike<unknown>).then === "function") {
    // Not awaited: background work never delays the caller. A failure is logged, never unhandled.
    (result as PromiseLike<unknown>).then(undefined, (err: unknown) => {
      log.error('backgroundTrigger of state "%s" failed: %s', stateName(state), messageOf(err));
    });
  }
}

/**
 * Renders a state: follows non-renderable branching states to a renderable one, starts its
 * background work, and returns its TwiML.
 * @param input - goes to the first `transitionOut` only, and to `twimlFor`/`backgroundTrigger`
 *   only when `start` is itself renderable.
 */
export async function renderState(start: State, input: InputData | undefined, context: RenderContext): Promise<string> {
  let state: State = start;
  const visited: State[] = [];
  while (!isRenderableState(state)) {
    if (visited.includes(state)) {
      const cycle = [...visited.slice(visited.indexOf(state)), state].map((s) => `"${stateName(s)}"`).join(" -> ");
      throw new StateError(
        "ERR_IVR_TRANSITION",
        stateName(visited[visited.length - 1]),
        `non-renderable branching states form a loop that never renders: ${cycle}`,
      );
    }
    visited.push(state);
    state = await nextStateAfter(state, visited.length === 1 ? input : undefined);
  }

  const renderable = state;
  const renderInput = isRenderableState(start) ? input : undefined;
  const name = stateName(renderable);
  if (isNormalState(renderable) && !context.hasRoute(renderable.processTransitionUri)) {
    throw new StateError(
      "ERR_IVR_RENDER",
      name,
      `state "${name}" has processTransitionUri ${JSON.stringify(renderable.processTransitionUri)}, but no route serves it: ` +
        "add the state to the states passed to twilioIvr()",
    );
  }

  let twiml: unknown;
  try {
    startBackgroundWork(renderable, context.urlFor, renderInput);
    twiml = await renderable.twimlFor(context.urlFor, renderInput);
  } catch (err) {
    throw new StateError("ERR_IVR_RENDER", name, `rendering state "${name}" failed: ${messageOf(err)}`, err);
  }
  const body = twimlToString(twiml);
  if (body === undefined) throw new StateError("ERR_IVR_RENDER", name, notTwimlMessage(`twimlFor of state "${name}"`, twiml));
  return body;
}

/** Handles a POST to a normal state's `processTransitionUri`: `transitionOut(input)`, then render the result with no input. */
export async function transitionFrom(state: NormalState, input: InputData, context: RenderContext): Promise<string> {
  const next = await nextStateAfter(state, input);
  return renderState(next, undefined, context);
}
