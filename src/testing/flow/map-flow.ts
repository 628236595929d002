import { createHash } from "node:crypto";
import { CallStepError, type SimulatedCall } from "../simulated-call";
import type { SimulatorTarget } from "../transport";
import { prepareCall } from "../prepare-call";
import { edgeKey, type FlowEdge, type FlowMap, type FlowNode } from "./graph";
import { walkOf, type Walk } from "./walk";

/** Options of {@link mapFlow}. */
export interface MapFlowOptions {
  /** The voice webhook calls start at, e.g. `/incoming-call`. Required. */
  uri: string;
  /** Caller actions to simulate at most; exploration stops there and the map says `truncated`. Default 500. */
  maxSteps?: number;
  /** Sign every request with this token, for an app that validates signatures. */
  authToken?: string;
  /** Origin webhook URLs are built on, for an in-process app. Default `http://localhost`. */
  baseUrl?: string;
  /** Extra parameters sent with every webhook. */
  params?: Readonly<Record<string, string>>;
  /** Milliseconds waited per second of `<Pause>` (see `simulateCall`); raise it when a tree polls for background work. Default 0. */
  pauseMs?: number;
  /** Per-request time limit. Default 10000. */
  timeoutMs?: number;
  /**
   * More answers to try at a state's Gather, by state name: keys (`"1234#"`) or words to say
   * (`"say:my account"`). For entries exploration cannot guess, such as a PIN.
   */
  inputs?: Readonly<Record<string, readonly string[]>>;
}

type Action = { kind: "press"; keys: string } | { kind: "say"; text: string } | { kind: "silence" };

const ALL_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"];
export const DEFAULT_MAX_STEPS = 500;

/** Nodes and edges of many walks, merged: nodes by id, edges by ends and kind (their inputs collected). */
class MapBuilder {
  private readonly nodes = new Map<string, FlowNode>();
  private readonly edges = new Map<string, FlowEdge>();

  add(walk: Walk): void {
    for (const node of walk.nodes) {
      const known = this.nodes.get(node.id);
      if (known === undefined) this.nodes.set(node.id, { ...node });
      else if (known.prompt === "" && node.prompt !== "") known.prompt = node.prompt;
    }
    for (const edge of walk.edges) {
      const key = edgeKey(edge);
      let merged = this.edges.get(key);
      if (merged === undefined) {
        merged = { from: edge.from, to: edge.to, kind: edge.kind, inputs: [] };
        this.edges.set(key, merged);
      }
      if (edge.input !== undefined && !merged.inputs.includes(edge.input)) {
        merged.inputs.push(edge.input);
        merged.inputs.sort();
      }
    }
  }

  build(uri: string, steps: number, truncated: boolean): FlowMap {
    return { uri, nodes: [...this.nodes.values()], edges: [...this.edges.values()], steps, truncated };
  }
}

/** What the caller can do where the call waits: the Gather's choices, silence, or nothing. */
function actionsAt(call: SimulatedCall, walk: Walk, inputs: MapFlowOptions["inputs"]): Action[] {
  switch (call.waitingFor) {
    case "record":
    case "hold":
      return [{ kind: "silence" }];
    case "gather":
      break;
    case "forever":
    case "ended":
      return [];
  }
  const gather = call.gather;
  if (gather === undefined) return [];
  const actions: Action[] = [];
  const lastRequest = [...call.transcript].reverse().find((e) => e.type === "request");
  const menu = lastRequest === undefined ? undefined : call.statesOf(lastRequest)?.find((step) => step.fn === "twimlFor" && step.menu !== undefined)?.menu;
  const dtmf = gather.input.includes("dtmf");
  const speech = gather.input.includes("speech");
  if (menu !== undefined) {
    if (dtmf) for (const keys of menu.keys) actions.push({ kind: "press", keys });
    if (speech) for (const text of menu.phrases) actions.push({ kind: "say", text });
  } else {
    // The finishing key alone sends nothing, the same as silence.
    if (dtmf && gather.numDigits === 1) for (const keys of ALL_KEYS) if (!gather.finishOnKey.includes(keys)) actions.push({ kind: "press", keys });
    if (speech) for (const text of gather.hints) actions.push({ kind: "say", text });
  }
  for (const answer of inputs?.[walk.current] ?? []) {
    actions.push(answer.startsWith("say:") ? { kind: "say", text: answer.slice(4).trim() } : { kind: "press", keys: answer });
  }
  actions.push({ kind: "silence" });
  return actions;
}

async function perform(call: SimulatedCall, action: Action | { kind: "start"; start: () => Promise<void> }): Promise<void> {
  try {
    if (action.kind === "start") await action.start();
    else if (action.kind === "press") await call.press(action.keys);
    else if (action.kind === "say") await call.say(action.text);
    else await call.silence();
  } catch (err) {
    // A failed step is part of the map (an edge to the error node); anything else is a bug to report.
    if (!(err instanceof CallStepError)) throw err;
  }
}

/** Where a call stands, for exploring each situation once: its node, what it waits for, and the document it heard. */
function situation(call: SimulatedCall, walk: Walk): string {
  const document = createHash("sha1").update(call.twiml ?? "").digest("base64");
  return `${walk.current}\u0000${call.waitingFor}\u0000${document}`;
}

function checkOptions(options: MapFlowOptions): number {
  if (typeof options !== "object" || (options as unknown) === null) throw new TypeError("mapFlow: options are required ({ uri: ... })");
  if (typeof options.uri !== "string" || options.uri === "") throw new TypeError(`mapFlow: options.uri must be the webhook path, e.g. "/incoming-call"; got ${JSON.stringify(options.uri)}`);
  const max = options.maxSteps ?? DEFAULT_MAX_STEPS;
  if (!Number.isInteger(max) || max < 1) throw new TypeError(`mapFlow: options.maxSteps must be a positive integer, got ${String(max)}`);
  const inputs: unknown = options.inputs;
  if (inputs !== undefined && (typeof inputs !== "object" || inputs === null || !Object.values(inputs).every((list) => Array.isArray(list) && list.every((v) => typeof v === "string" && v !== "")))) {
    throw new TypeError("mapFlow: options.inputs must map state names to lists of non-empty strings (keys, or \"say:words\")");
  }
  return max;
}

/** Explores a phone tree breadth first, the way callers would, and returns its map (see `mapFlow`). */
export async function exploreFlow(target: SimulatorTarget, options: MapFlowOptions): Promise<FlowMap> {
  const maxSteps = checkOptions(options);
  const map = new MapBuilder();
  const callOptions = {
    uri: options.uri,
    ...(options.authToken === undefined ? {} : { authToken: options.authToken }),
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    ...(options.params === undefined ? {} : { params: options.params }),
    ...(options.pauseMs === undefined ? {} : { pauseMs: options.pauseMs }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
  // Exploring is not testing: its calls record no coverage.
  const { call: root, start } = prepareCall(target, callOptions, { recordCoverage: false });
  await perform(root, { kind: "start", start });

  // Each call waits with the walk already made of it: a walk replays the whole transcript.
  const rootWalk = walkOf(root);
  const frontier: { call: SimulatedCall; walk: Walk }[] = [{ call: root, walk: rootWalk }];
  const explored = new Set<string>();
  let steps = 0;
  let truncated = false;
  map.add(rootWalk);
  while (frontier.length > 0) {
    const { call, walk } = frontier.shift() as (typeof frontier)[number];
    if (call.ended) continue;
    const here = situation(call, walk);
    if (explored.has(here)) continue;
    explored.add(here);
    for (const action of actionsAt(call, walk, options.inputs)) {
      if (steps >= maxSteps) {
        truncated = true;
        break;
      }
      steps++;
      const branch = await call.fork();
      await perform(branch, action);
      const branchWalk = walkOf(branch);
      map.add(branchWalk);
      if (!branch.ended) frontier.push({ call: branch, walk: branchWalk });
    }
    if (truncated) break;
  }
  return map.build(options.uri, steps, truncated);
}
