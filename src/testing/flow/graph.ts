import type { TracedStateKind } from "../../types";

// The flow map: what a phone tree does, as a graph. Built by exploring the tree with simulated
// calls (mapFlow), drawn by the renderers, marked by coverage.

/** Id of the node every call starts from. */
export const START_ID = "(call)";
/** Id of the node calls end at when the app hangs up or runs out of TwiML. */
export const HANGUP_ID = "(hangup)";
/** Id of the node a call reaches when a step fails (non-200 answer, invalid TwiML, a loop). */
export const ERROR_ID = "(error)";

/**
 * What a node is: a state's kind (from the app's trace), or one of the map's own nodes: the
 * incoming call, the hangup, a failure, a queue the caller holds in, or a document from an app that
 * does not report its states (`page`, named by its URL path).
 */
export type FlowNodeKind = TracedStateKind | "start" | "hangup" | "error" | "queue" | "page";

/** One node of the map: a state (deduplicated by name), or one of the map's own nodes. */
export interface FlowNode {
  /** Unique in the map: the state's name, or `(call)`, `(hangup)`, `(error)`, `queue:<name>`, `page:<path>`. */
  id: string;
  /** What to show: the state's name, "Incoming call", "Hangup", … */
  label: string;
  kind: FlowNodeKind;
  /** The start of what the caller hears when the state renders (its first `<Say>` texts or played files), "" for none. */
  prompt: string;
  /** The state is `sensitive`: its caller input is secret. */
  sensitive?: true;
}

/**
 * What moves a call along an edge:
 * - `call`: the incoming call's first webhook;
 * - `key` / `phrase`: the caller pressed keys or said something (`inputs` lists which);
 * - `silence`: the caller did nothing until the Gather timed out;
 * - `redirect`: a `<Redirect>` (or another request the app chained without the caller);
 * - `branch`: a branching state's `transitionOut` picked the next state within one request;
 * - `hold`: the caller was put in a queue (`<Enqueue>`);
 * - `hangup`: the app hung up or ran out of TwiML; `error`: the step failed.
 * - `record`, `dial`: the outcome of a `<Record>` or `<Dial>` posted to its action.
 */
export type FlowEdgeKind = "call" | "key" | "phrase" | "silence" | "redirect" | "branch" | "hold" | "hangup" | "error" | "record" | "dial";

// Each kind once, as keys of a Record: the compiler rejects a table that misses one.
const NODE_KIND_TABLE: Record<FlowNodeKind, true> = { menu: true, normal: true, end: true, asynchronous: true, branching: true, start: true, hangup: true, error: true, queue: true, page: true };
const EDGE_KIND_TABLE: Record<FlowEdgeKind, true> = { call: true, key: true, phrase: true, silence: true, redirect: true, branch: true, hold: true, hangup: true, error: true, record: true, dial: true };

/** Every node kind, for checking data read back from a file. */
export const FLOW_NODE_KINDS: ReadonlySet<string> = new Set(Object.keys(NODE_KIND_TABLE));
/** Every edge kind, for checking data read back from a file. */
export const FLOW_EDGE_KINDS: ReadonlySet<string> = new Set(Object.keys(EDGE_KIND_TABLE));

/** One edge: from one node to another by one kind of action. Edges with the same ends and kind are merged. */
export interface FlowEdge {
  from: string;
  to: string;
  kind: FlowEdgeKind;
  /** The keys pressed (`key`) or phrases said (`phrase`) that take this edge, sorted; `[]` for other kinds. */
  inputs: string[];
}

/** A phone tree's map. */
export interface FlowMap {
  /** The webhook exploration started at. */
  uri: string;
  /** Every node, the start node first, then in the order exploration found them. */
  nodes: FlowNode[];
  /** Every edge, in the order exploration found them. */
  edges: FlowEdge[];
  /** Caller actions simulated. */
  steps: number;
  /** True when exploration stopped at `maxSteps` with paths left unexplored. */
  truncated: boolean;
}

/** The key an edge is merged under. */
export function edgeKey(edge: Pick<FlowEdge, "from" | "to" | "kind">): string {
  return JSON.stringify([edge.from, edge.to, edge.kind]);
}

/** Which parts of a map recorded calls walked (see `flowCoverage`). */
export interface FlowCoverage {
  /** Ids of the nodes walked by at least one recorded call. */
  nodes: ReadonlySet<string>;
  /** {@link edgeKey}s of the edges walked. */
  edges: ReadonlySet<string>;
  /** States (nodes that are states, not the map's own nodes) walked, of all in the map. */
  states: { walked: number; total: number };
  /** Edges walked, of all in the map. */
  edgeTotals: { walked: number; total: number };
}
