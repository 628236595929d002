import type { TracedStep } from "../../types";
import type { TranscriptEntry } from "../transcript";
import { ERROR_ID, HANGUP_ID, START_ID, type FlowEdgeKind, type FlowNode } from "./graph";

// Reads one simulated call's transcript (and the states each request went through) as a path
// through the map: the nodes it visited and the edges it took. Exploration (mapFlow) and coverage
// both read calls this way, so a walked edge and a mapped edge are the same thing.

/** One edge a call took, with the keys or phrase that took it. */
export interface WalkedEdge {
  from: string;
  to: string;
  kind: FlowEdgeKind;
  input?: string;
}

/** A call's path through the map. */
export interface Walk {
  /** Nodes in the order first visited, each with what the caller heard the first time. */
  nodes: FlowNode[];
  edges: WalkedEdge[];
  /** Where the call is now. */
  current: string;
}

/** The states each request went through, by its transcript entry: undefined when the app did not say. */
export type TraceOf = (entry: TranscriptEntry) => readonly TracedStep[] | undefined;

const PROMPT_CHARS = 120;

const SPECIAL_NODES: Readonly<Record<string, FlowNode>> = {
  [START_ID]: { id: START_ID, label: "Incoming call", kind: "start", prompt: "" },
  [HANGUP_ID]: { id: HANGUP_ID, label: "Hangup", kind: "hangup", prompt: "" },
  [ERROR_ID]: { id: ERROR_ID, label: "Application error", kind: "error", prompt: "" },
};

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** What moves the call next, until a request consumes it. */
interface Pending {
  kind: FlowEdgeKind;
  input?: string;
}

class WalkBuilder {
  readonly nodes = new Map<string, FlowNode>();
  readonly edges: WalkedEdge[] = [];
  current = START_ID;
  /** The node whose first rendering is being heard, while its prompt is collected. */
  private hearing: FlowNode | undefined;
  private readonly heard = new Set<string>();

  constructor() {
    this.node(SPECIAL_NODES[START_ID] as FlowNode);
  }

  node(node: FlowNode): void {
    if (!this.nodes.has(node.id)) this.nodes.set(node.id, { ...node });
  }

  edge(from: string, to: string, action: Pending): void {
    if (to in SPECIAL_NODES) this.node(SPECIAL_NODES[to] as FlowNode);
    this.edges.push(action.input === undefined ? { from, to, kind: action.kind } : { from, to, kind: action.kind, input: action.input });
  }

  /** The node just rendered: what follows (Say, Play) is its prompt, the first time it renders. */
  rendered(id: string): void {
    const node = this.nodes.get(id);
    this.hearing = node !== undefined && !this.heard.has(id) ? node : undefined;
    this.heard.add(id);
  }

  hear(text: string): void {
    const node = this.hearing;
    if (node === undefined || text.trim() === "" || node.prompt.length >= PROMPT_CHARS) return;
    const joined = node.prompt === "" ? text.trim() : `${node.prompt} ${text.trim()}`;
    node.prompt = joined.length > PROMPT_CHARS ? `${joined.slice(0, PROMPT_CHARS - 1)}…` : joined;
  }

  stopHearing(): void {
    this.hearing = undefined;
  }
}

/** The nodes a request went through, in order: a state per function run (background triggers aside), or the page requested. */
function visitsOf(entry: Extract<TranscriptEntry, { type: "request" }>, steps: readonly TracedStep[] | undefined): { node: FlowNode; fn: TracedStep["fn"] | "page" }[] {
  if (steps === undefined) {
    const path = pathOf(entry.url);
    return [{ node: { id: `page:${path}`, label: path, kind: "page", prompt: "" }, fn: "page" }];
  }
  return steps
    .filter((step) => step.fn !== "backgroundTrigger")
    .map((step) => ({
      node: { id: step.state, label: step.state, kind: step.kind, prompt: "", ...(step.sensitive === true ? { sensitive: true as const } : {}) },
      fn: step.fn,
    }));
}

/**
 * The path a call took. `failed`: the call's last step failed (an error answer or invalid TwiML),
 * so it ends at the error node.
 */
export function walkCall(entries: readonly TranscriptEntry[], traceOf: TraceOf, failed: boolean): Walk {
  const walk = new WalkBuilder();
  let pending: Pending | undefined = { kind: "call" };
  let waitingAt: "gather" | "record" | "hold" | undefined;
  let ended = false;

  for (const entry of entries) {
    if (ended) break;
    switch (entry.type) {
      case "input":
        walk.stopHearing();
        if (waitingAt === "hold") pending = undefined; // another pass of the hold music: not a move
        else if (waitingAt === "record") pending = { kind: "record" };
        else if (entry.digits !== undefined) pending = { kind: "key", input: entry.digits };
        else if (entry.speech !== undefined) pending = { kind: "phrase", input: entry.speech };
        else pending = { kind: "silence" };
        break;
      case "gather":
        waitingAt = "gather";
        break;
      case "record":
        waitingAt = "record";
        break;
      case "redirect":
        // After silence at a Gather, Twilio carries on with the document: the move is still the silence.
        pending ??= { kind: "redirect" };
        break;
      case "dial":
        if (entry.action !== undefined) pending = { kind: "dial" };
        break;
      case "enqueue": {
        const id = `queue:${entry.queue}`;
        walk.node({ id, label: entry.queue === "" ? "Queue" : `Queue ${entry.queue}`, kind: "queue", prompt: "" });
        walk.edge(walk.current, id, pending ?? { kind: "hold" });
        walk.current = id;
        walk.rendered(id);
        pending = undefined;
        waitingAt = "hold";
        break;
      }
      case "leave":
        waitingAt = undefined;
        pending = { kind: "redirect" };
        break;
      case "say":
        walk.hear(entry.text);
        break;
      case "play":
        walk.hear(`[${pathOf(entry.url).split("/").pop() ?? entry.url}]`);
        break;
      case "request": {
        // Hold music (the queue's waitUrl) is not a move of the call.
        if (waitingAt === "hold") break;
        const visits = visitsOf(entry, traceOf(entry));
        // An endpoint that runs no state (the status callback, hold music) moves nothing.
        if (visits.length === 0) break;
        let from = walk.current;
        let action: Pending = pending ?? { kind: "redirect" };
        visits.forEach((visit, i) => {
          walk.node(visit.node);
          // The state whose Gather posted here runs its own transitionOut: the move starts there.
          if (i === 0 && visit.fn === "transitionOut" && visit.node.id === from) return;
          walk.edge(from, visit.node.id, action);
          from = visit.node.id;
          action = { kind: "branch" };
        });
        walk.current = from;
        pending = undefined;
        waitingAt = undefined;
        if (entry.status !== 200) {
          walk.edge(from, ERROR_ID, { kind: "error" });
          walk.current = ERROR_ID;
          ended = true;
        } else {
          walk.rendered(from);
        }
        break;
      }
      case "hangup":
        if (entry.by === "app") walk.edge(walk.current, HANGUP_ID, pending ?? { kind: "hangup" });
        ended = true;
        break;
      case "end":
      case "reject":
        walk.edge(walk.current, HANGUP_ID, pending ?? { kind: "hangup" });
        ended = true;
        break;
      case "pause":
      case "play-digits":
      case "other":
        break;
    }
  }
  if (failed && !ended) {
    walk.edge(walk.current, ERROR_ID, pending ?? { kind: "error" });
    walk.current = ERROR_ID;
  } else if (ended && walk.current !== ERROR_ID) {
    walk.current = HANGUP_ID;
  }
  return { nodes: [...walk.nodes.values()], edges: walk.edges, current: walk.current };
}

/** What a path is read from: a simulated call (or anything that keeps a transcript and its trace). */
export interface WalkableCall {
  readonly transcript: readonly TranscriptEntry[];
  statesOf: TraceOf;
  readonly failed: boolean;
}

/** The path a call took so far. */
export function walkOf(call: WalkableCall): Walk {
  return walkCall(call.transcript, (entry) => call.statesOf(entry), call.failed);
}
