import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { isAsynchronousState, isEndState, isNormalState, stateName } from "./states";
import type { MenuDescription, State, TracedStep, TracedStateKind } from "./types";

// Which states a request went through: the wire shows URLs only, and branching states never
// appear on it. The app reports its trace in a response header, but only when asked: by every
// request when created with `trace: true`, or by a request carrying this process's trace key,
// which only code in the same process (the testing kit) can read.

/** Response header with the request's trace; request header with the trace key. */
export const TRACE_HEADER = "x-twilio-interactive-flow-trace";

/** `Symbol.for`, so the CommonJS and ESM builds and the testing kit's bundle share one key per process. */
const TRACE_KEY = Symbol.for("twilio-interactive-flow.trace-key");

/** A random key made once per process: a request presenting it asks for its trace. Never sent by the library. */
export function processTraceKey(): string {
  const holder = globalThis as unknown as Record<symbol, unknown>;
  const existing = holder[TRACE_KEY];
  if (typeof existing === "string") return existing;
  const key = randomBytes(16).toString("hex");
  Object.defineProperty(holder, TRACE_KEY, { value: key, enumerable: false, writable: false, configurable: false });
  return key;
}

/** True when the request asked for its trace with this process's key. */
export function asksForTrace(headers: IncomingHttpHeaders): boolean {
  const presented = headers[TRACE_HEADER];
  if (typeof presented !== "string") return false;
  const key = Buffer.from(processTraceKey());
  const given = Buffer.from(presented);
  return given.length === key.length && timingSafeEqual(given, key);
}

/** What a state is, for a trace or a map: the first kind that fits. */
function stateKind(state: State): TracedStateKind {
  if (typeof (state as unknown as { menu?: unknown }).menu === "object") return "menu";
  if (isNormalState(state)) return "normal";
  if (isEndState(state)) return "end";
  // Valid states are one of these; what is left renders nothing and branches.
  return isAsynchronousState(state) ? "asynchronous" : "branching";
}

/** True when the state asked for its caller input to be kept out of logs and transcripts. */
export function isSensitiveState(state: State): boolean {
  return (state as { sensitive?: unknown }).sensitive === true;
}

/** What a menu's Gather accepts, from its description. */
function menuInputs(state: State): { keys: string[]; phrases: string[] } {
  const { choices } = (state as unknown as { menu: MenuDescription }).menu;
  return { keys: choices.flatMap((c) => c.keys), phrases: choices.flatMap((c) => c.phrases) };
}

/** The trace step for one of a state's functions. */
export function tracedStep(state: State, fn: TracedStep["fn"]): TracedStep {
  const kind = stateKind(state);
  const step: TracedStep = { state: stateName(state), kind, fn };
  if (isSensitiveState(state)) step.sensitive = true;
  if (kind === "menu" && fn === "twimlFor") step.menu = menuInputs(state);
  return step;
}

/** The header value: JSON, percent-encoded so that any state name fits in a header. */
export function encodeTrace(steps: readonly TracedStep[]): string {
  return encodeURIComponent(JSON.stringify(steps));
}

const KINDS: ReadonlySet<string> = new Set<TracedStateKind>(["menu", "normal", "end", "asynchronous", "branching"]);
const FNS: ReadonlySet<string> = new Set<TracedStep["fn"]>(["transitionOut", "twimlFor", "backgroundTrigger"]);

const isStrings = (value: unknown): boolean => Array.isArray(value) && value.every((v) => typeof v === "string");

function isStep(value: unknown): value is TracedStep {
  if (typeof value !== "object" || value === null) return false;
  const { state, kind, fn, sensitive, menu } = value as Record<string, unknown>;
  const menuOk = menu === undefined || (typeof menu === "object" && menu !== null && isStrings((menu as Record<string, unknown>).keys) && isStrings((menu as Record<string, unknown>).phrases));
  return typeof state === "string" && typeof kind === "string" && KINDS.has(kind) && typeof fn === "string" && FNS.has(fn) && (sensitive === undefined || sensitive === true) && menuOk;
}

/** The steps in a trace header, or undefined when it is absent or not a trace. */
export function decodeTrace(header: string | string[] | undefined): TracedStep[] | undefined {
  if (typeof header !== "string") return undefined;
  try {
    const steps: unknown = JSON.parse(decodeURIComponent(header));
    return Array.isArray(steps) && steps.every(isStep) ? steps : undefined;
  } catch {
    return undefined;
  }
}
