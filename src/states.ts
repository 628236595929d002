import type {
  AsynchronousStateLike,
  BranchingState,
  EndState,
  NormalState,
  RenderableState,
  RoutableState,
  State,
} from "./types";

// Predicates take `unknown` because they run on the user's objects before those are known to be states.
type Loose = Record<string, unknown>;

function isObject(it: unknown): it is Loose {
  return (typeof it === "object" || typeof it === "function") && it !== null;
}

/** True when the state has a `uri` (POST `uri` renders it). */
export function isRoutableState(it: unknown): it is RoutableState {
  return isObject(it) && typeof it.uri === "string";
}

/** True when the state has a `twimlFor` function. */
export function isRenderableState(it: unknown): it is RenderableState {
  return isObject(it) && typeof it.twimlFor === "function";
}

/** True when the state has a `transitionOut` function. */
export function isBranchingState(it: unknown): it is NormalState | BranchingState {
  return isObject(it) && typeof it.transitionOut === "function";
}

/** True when the state is renderable and has a `backgroundTrigger` function. */
export function isAsynchronousState(it: unknown): it is AsynchronousStateLike {
  return isRenderableState(it) && typeof (it as unknown as Loose).backgroundTrigger === "function";
}

/** True when the state is renderable, branching, and has a `processTransitionUri`. */
export function isNormalState(it: unknown): it is NormalState {
  return isRenderableState(it) && isBranchingState(it) && typeof (it as unknown as Loose).processTransitionUri === "string";
}

/** True when the state is marked `isEndState: true`. */
export function isEndState(it: unknown): it is EndState {
  return isObject(it) && it.isEndState === true;
}

/**
 * Why a value is not a valid state: an empty list when it is valid.
 * Each reason is a sentence fragment meant to follow the state's label.
 */
export function stateProblems(it: unknown): string[] {
  if (!isObject(it)) return [`must be an object, got ${describeValue(it)}`];
  const problems: string[] = [];
  const renderable = isRenderableState(it);
  const branching = isBranchingState(it);

  for (const key of ["twimlFor", "transitionOut", "backgroundTrigger"] as const) {
    if (it[key] !== undefined && typeof it[key] !== "function") {
      problems.push(`\`${key}\` must be a function, got ${describeValue(it[key])}`);
    }
  }
  for (const key of ["uri", "processTransitionUri"] as const) {
    const value = it[key];
    if (value !== undefined && (typeof value !== "string" || !value.startsWith("/"))) {
      problems.push(`\`${key}\` must be a string starting with "/", got ${describeValue(value)}`);
    } else if (typeof value === "string" && /[?#]/.test(value)) {
      // Requests are routed by their path alone, so such a route would never be reached.
      problems.push(`\`${key}\` must be a path without a query string or fragment (routes match the path alone), got ${describeValue(value)}`);
    }
  }
  if (it.sensitive !== undefined && typeof it.sensitive !== "boolean") {
    problems.push(`\`sensitive\` must be true or false, got ${describeValue(it.sensitive)}`);
  }
  if (it.isEndState !== undefined && it.isEndState !== true) {
    problems.push(`\`isEndState\` can only be \`true\` (remove it for a state that is not an end state), got ${describeValue(it.isEndState)}`);
  }
  if (problems.length > 0) return problems;

  const hasTransitionUri = it.processTransitionUri !== undefined;
  if (isEndState(it)) {
    if (!renderable) problems.push("is an end state (`isEndState: true`) but has no `twimlFor` to render it");
    if (branching) problems.push("is an end state but also has `transitionOut`; an end state never branches");
    if (hasTransitionUri) problems.push("is an end state but has a `processTransitionUri`; only normal states have one");
    return problems;
  }
  if (renderable && branching) {
    if (!hasTransitionUri) {
      problems.push("is renderable and branching but has no `processTransitionUri`, so caller input could never reach `transitionOut`");
    }
    return problems;
  }
  if (hasTransitionUri) {
    problems.push("has a `processTransitionUri` but is not both renderable (`twimlFor`) and branching (`transitionOut`)");
  }
  if (branching) {
    if (it.backgroundTrigger !== undefined) {
      problems.push("has a `backgroundTrigger` but no `twimlFor`; `backgroundTrigger` is only allowed on renderable states");
    }
    return problems;
  }
  if (renderable) {
    if (!isAsynchronousState(it)) {
      problems.push(
        "has `twimlFor` only: add `isEndState: true` (end state), `transitionOut` + `processTransitionUri` (normal state) or `backgroundTrigger` (asynchronous state)",
      );
    }
    return problems;
  }
  problems.push(
    it.backgroundTrigger !== undefined
      ? "has a `backgroundTrigger` but no `twimlFor`; `backgroundTrigger` is only allowed on renderable states"
      : "has neither `twimlFor` nor `transitionOut`; every state must render or branch",
  );
  return problems;
}

/** True when the value is one of the valid state kinds: end, normal, asynchronous, or non-renderable branching. */
export function isValidState(it: unknown): it is State {
  return stateProblems(it).length === 0;
}

/** The state's name for messages: its `name`, else `unnamed state`. */
export function stateName(it: unknown): string {
  return isObject(it) && typeof it.name === "string" && it.name !== "" ? it.name : "unnamed state";
}

/** Short, safe description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return `${typeof value} ${value.toString()}`;
  }
  return typeof value;
}
