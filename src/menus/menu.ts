import { StateError } from "../errors";
import { errorMessage } from "../error-message";
import { TRANSITION_WITH_REQUEST, type TransitionRequest } from "../state-hooks";
import type { CallSession, InputData, MenuDescription, MenuOptions, MenuState, MenuTarget, SessionData, State, UrlFor } from "../types";
import { readAnswer } from "./match";
import { resolveMenuOptions, type ResolvedMenu } from "./options";
import { parsePromptContent, type PromptVerb } from "./prompt-content";
import { menuTwiml } from "./twiml";

/**
 * The attempt a posted answer belongs to, from the `attempt` query of the answer URL. It travels
 * in the request (signed by Twilio), so any instance can answer any attempt, with or without
 * sessions. A missing or odd value counts as the first attempt.
 */
function attemptOf(request: TransitionRequest | undefined, tries: number): number {
  const raw = request?.query.attempt;
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isInteger(value) && value >= 1 ? Math.min(value, tries) : 1;
}

async function promptFor(menu: ResolvedMenu, urlFor: UrlFor, attempt: number): Promise<readonly PromptVerb[]> {
  if (menu.prompt.kind === "fixed") {
    const { attempts } = menu.prompt;
    return attempts[Math.min(attempt, attempts.length) - 1] ?? [];
  }
  const content: unknown = await menu.prompt.fn(urlFor, attempt);
  if (typeof content !== "string") {
    throw new StateError("ERR_IVR_RENDER", menu.name, `the prompt function of menu "${menu.name}" returned ${typeof content}, not TwiML content (a string)`);
  }
  try {
    return parsePromptContent(content);
  } catch (err) {
    throw new StateError("ERR_IVR_RENDER", menu.name, `the prompt of menu "${menu.name}" for attempt ${attempt} ${errorMessage(err)}`);
  }
}

async function follow(target: MenuTarget, input: InputData, session: CallSession | undefined): Promise<State> {
  if (typeof target !== "function") return target;
  const fn = target;
  return session === undefined ? fn(input) : fn(input, session);
}

/**
 * A menu as an ordinary normal state: it plays a prompt in a `<Gather>`, sends the caller to the
 * option they chose (by key or by speech), and handles wrong answers and silence itself: a short
 * message, then the prompt again (the n-th prompt of an array on the n-th attempt), until `tries`
 * attempts have failed and the call goes to `onFailure`.
 *
 * @returns a normal state (route it with `uri`, list it in `twilioIvr`'s states, return it from a
 *   `transitionOut`); its `menu` property describes the choices without calling anything.
 * @throws ConfigError (`ERR_IVR_STATE_INVALID`) naming the menu and every problem of its options.
 * @example
 * const mainMenu = menu({
 *   name: "MAIN_MENU",
 *   uri: "/incoming-call",
 *   processTransitionUri: "/main-menu",
 *   prompt: "For sales, press 1 or say sales. For support, press 2 or say support.",
 *   options: [
 *     { keys: ["1"], phrases: ["sales"], to: salesState },
 *     { keys: ["2"], phrases: ["support", "help"], to: supportState },
 *   ],
 *   onFailure: goodbyeState,
 * });
 */
export function menu<Data extends object = SessionData>(options: MenuOptions<Data>): MenuState<Data> {
  const resolved = resolveMenuOptions(options as unknown as MenuOptions);
  const description: MenuDescription = Object.freeze({
    choices: Object.freeze(resolved.choices.map((c) => Object.freeze({ keys: Object.freeze([...c.keys]), phrases: Object.freeze([...c.phrases]), to: c.to }))),
    input: Object.freeze([...resolved.input]),
    numDigits: resolved.numDigits,
    finishOnKey: resolved.finishOnKey,
    timeout: resolved.timeout,
    tries: resolved.tries,
    onFailure: resolved.onFailure,
  });

  const render = async (urlFor: UrlFor, attempt: number, before: readonly PromptVerb[]): Promise<string> =>
    menuTwiml(resolved, attempt, before, await promptFor(resolved, urlFor, attempt));

  /** The menu again, for its next attempt, opening with what went wrong: a state of its own, served by the same routes. */
  const retry = (attempt: number, before: readonly PromptVerb[]): State => ({
    name: resolved.name,
    ...(resolved.sensitive ? { sensitive: true } : {}),
    processTransitionUri: resolved.processTransitionUri,
    twimlFor: (urlFor: UrlFor) => render(urlFor, attempt, before),
    transitionOut: state.transitionOut,
    [TRANSITION_WITH_REQUEST]: decide,
    // The same menu, so traces and maps see a menu on every attempt.
    menu: description,
  }) as State;

  async function decide(input: InputData | undefined, session: CallSession | undefined, request?: TransitionRequest): Promise<State> {
    const attempt = attemptOf(request, resolved.tries);
    const answer = readAnswer(resolved, input);
    if (answer.kind === "choice") return follow(answer.choice.to, input ?? {}, session);
    if (attempt >= resolved.tries) return follow(resolved.onFailure, input ?? {}, session);
    return retry(attempt + 1, answer.kind === "timeout" ? resolved.onTimeout : resolved.onInvalid);
  }

  const state = {
    name: resolved.name,
    ...(resolved.sensitive ? { sensitive: true } : {}),
    ...(resolved.uri === undefined ? {} : { uri: resolved.uri }),
    processTransitionUri: resolved.processTransitionUri,
    twimlFor: (urlFor: UrlFor) => render(urlFor, 1, []),
    // Called directly (outside a request), an answer counts as one to the first attempt.
    transitionOut: (input?: InputData, session?: CallSession) => decide(input, session),
    [TRANSITION_WITH_REQUEST]: decide,
  };
  Object.defineProperty(state, "menu", { value: description, enumerable: true, writable: false });
  return state as unknown as MenuState<Data>;
}
