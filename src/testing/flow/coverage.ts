import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { edgeKey, FLOW_EDGE_KINDS, FLOW_NODE_KINDS, type FlowCoverage, type FlowEdgeKind, type FlowMap, type FlowNode, type FlowNodeKind } from "./graph";
import { walkOf, type Walk, type WalkableCall } from "./walk";
import { errorMessage } from "../../error-message";

// Coverage: which states and edges of a map the tests walked. Opt-in: with TWILIO_FLOW_COVERAGE
// naming a folder, every simulated call (not mapFlow's exploration) writes the walk it took there,
// one small JSON file per call, rewritten after each step that changed it. A whole Jest run, over
// many files and workers, leaves one folder of walks; flowCoverage reads it against a map.

/** The environment variable naming the folder simulated calls record their walks in. */
export const COVERAGE_ENV = "TWILIO_FLOW_COVERAGE";

/** Marks a file as a walk written by this recorder (and its layout's version). */
const FORMAT = "twilio-interactive-flow/walk";
const VERSION = 1;

/** What the recorder needs of a call (a SimulatedCall). */
export interface RecordableCall extends WalkableCall {
  readonly callSid: string;
}

/**
 * A recorded walk, as written to disk. Only what coverage needs: node ids, kinds and labels, and
 * edges by their ends and kind. Never what the caller pressed or said (it may be a PIN), nor what
 * the caller heard.
 */
interface WalkFile {
  format: typeof FORMAT;
  version: typeof VERSION;
  callSid: string;
  nodes: { id: string; label: string; kind: FlowNodeKind }[];
  edges: { from: string; to: string; kind: FlowEdgeKind }[];
  current: string;
}

/** This process's part of every file name: unique across processes (pid) and across reused pids (random). */
const PROCESS_TAG = `${process.pid}-${randomBytes(4).toString("hex")}`;
let counter = 0;
/**
 * Each call's file (a fork is another call object: it gets its own) and what it holds: a step that
 * leaves the walk as it was (a hold pass, a retry on the same path) writes nothing.
 */
const recorded = new WeakMap<RecordableCall, { file: string; text: string | undefined }>();
/** Folders made (or found) already. */
const madeDirs = new Set<string>();
/** Folders a write failed in: warned about once, then left alone. */
const failedDirs = new Set<string>();

function toFile(call: RecordableCall): WalkFile {
  const walk = walkOf(call);
  return {
    format: FORMAT,
    version: VERSION,
    callSid: call.callSid,
    nodes: walk.nodes.map(({ id, label, kind }) => ({ id, label, kind })),
    edges: walk.edges.map(({ from, to, kind }) => ({ from, to, kind })),
    current: walk.current,
  };
}

/**
 * Records the walk a call took so far in the folder `TWILIO_FLOW_COVERAGE` names, when it is set;
 * does nothing otherwise. Called after every step of a simulated call. Never throws: a folder it
 * cannot write to is reported once on stderr and the test goes on.
 */
export function recordCoverage(call: RecordableCall, env: NodeJS.ProcessEnv = process.env): void {
  const dir = env[COVERAGE_ENV];
  if (dir === undefined || dir === "") return;
  const folder = path.resolve(dir);
  if (failedDirs.has(folder)) return;
  try {
    if (!madeDirs.has(folder)) {
      fs.mkdirSync(folder, { recursive: true });
      madeDirs.add(folder);
    }
    let record = recorded.get(call);
    if (record === undefined) {
      counter += 1;
      record = { file: path.join(folder, `walk-${PROCESS_TAG}-${counter}-${randomBytes(3).toString("hex")}.json`), text: undefined };
      recorded.set(call, record);
    }
    const text = JSON.stringify(toFile(call));
    if (record.text === text) return;
    // Written aside and renamed: a reader never sees half a file.
    const partial = `${record.file}.part`;
    fs.writeFileSync(partial, text);
    fs.renameSync(partial, record.file);
    record.text = text;
  } catch (err) {
    failedDirs.add(folder);
    const reason = errorMessage(err);
    process.stderr.write(`twilio-interactive-flow: cannot record flow coverage in ${folder} (${COVERAGE_ENV}): ${reason}. Calls of this process are not recorded.\n`);
  }
}


function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The walk in a parsed file, or undefined when it is not one the recorder wrote. */
function walkFrom(data: unknown): Walk | undefined {
  if (!isRecord(data) || data.format !== FORMAT || data.version !== VERSION) return undefined;
  const { nodes, edges, current } = data;
  if (!Array.isArray(nodes) || !Array.isArray(edges) || typeof current !== "string") return undefined;
  const walk: Walk = { nodes: [], edges: [], current };
  for (const node of nodes as unknown[]) {
    if (!isRecord(node) || typeof node.id !== "string" || typeof node.label !== "string" || typeof node.kind !== "string" || !FLOW_NODE_KINDS.has(node.kind)) return undefined;
    walk.nodes.push({ id: node.id, label: node.label, kind: node.kind as FlowNodeKind, prompt: "" });
  }
  for (const edge of edges as unknown[]) {
    if (!isRecord(edge) || typeof edge.from !== "string" || typeof edge.to !== "string" || typeof edge.kind !== "string" || !FLOW_EDGE_KINDS.has(edge.kind)) return undefined;
    walk.edges.push({ from: edge.from, to: edge.to, kind: edge.kind as FlowEdgeKind });
  }
  return walk;
}

/** The walks found in a coverage folder, and the `.json` files in it that are not walks (unreadable, not JSON, or written by something else). */
export interface RecordedWalks {
  walks: Walk[];
  /** File names skipped. */
  skipped: string[];
}

/**
 * Reads the walks simulated calls recorded in a folder (see `TWILIO_FLOW_COVERAGE`). Files that
 * are not walks are skipped and listed, never fatal.
 * @throws Error when the folder cannot be listed (e.g. it does not exist: no call was recorded).
 */
export function readWalks(dir: string): RecordedWalks {
  const names = fs.readdirSync(dir).filter((name) => name.endsWith(".json")).sort();
  const result: RecordedWalks = { walks: [], skipped: [] };
  for (const name of names) {
    let walk: Walk | undefined;
    try {
      walk = walkFrom(JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")));
    } catch {
      walk = undefined;
    }
    if (walk === undefined) result.skipped.push(name);
    else result.walks.push(walk);
  }
  return result;
}

/** Kinds of nodes that are states of the tree (or pages of an app that does not report its states), not the map's own nodes. */
const STATE_KINDS: ReadonlySet<FlowNodeKind> = new Set<FlowNodeKind>(["menu", "normal", "end", "asynchronous", "branching", "page"]);

/** True when the node is one of the tree's states (a page counts as one), not the incoming call, hangup, error or a queue. */
export function isStateNode(node: Pick<FlowNode, "kind">): boolean {
  return STATE_KINDS.has(node.kind);
}

/** {@link FlowCoverage} with where it came from. */
export interface RecordedCoverage extends FlowCoverage {
  /** Walks read (recorded calls). */
  calls: number;
  /** Files of the folder skipped because they are not walks (always empty for walks passed in). */
  skipped: readonly string[];
}

/**
 * Which parts of a map recorded calls walked: an edge when a call took an edge with the same ends
 * and kind, a node when a call visited it. Walked edges not on the map (a truncated map, another
 * tree's calls) are ignored.
 * @param walks - a folder of recorded walks (`TWILIO_FLOW_COVERAGE`), or walks already read (e.g. with `readWalks`).
 * @throws Error when `walks` is a folder that cannot be listed.
 */
export function flowCoverage(map: FlowMap, walks: string | readonly Walk[]): RecordedCoverage {
  const recorded: RecordedWalks = typeof walks === "string" ? readWalks(walks) : { walks: [...walks], skipped: [] };
  const mapNodes = new Set(map.nodes.map((node) => node.id));
  const mapEdges = new Set(map.edges.map((edge) => edgeKey(edge)));
  const nodes = new Set<string>();
  const edges = new Set<string>();
  for (const walk of recorded.walks) {
    for (const node of walk.nodes) if (mapNodes.has(node.id)) nodes.add(node.id);
    for (const edge of walk.edges) {
      const key = edgeKey(edge);
      if (mapEdges.has(key)) edges.add(key);
    }
  }
  const states = map.nodes.filter(isStateNode);
  return {
    nodes,
    edges,
    states: { walked: states.filter((node) => nodes.has(node.id)).length, total: states.length },
    edgeTotals: { walked: edges.size, total: mapEdges.size },
    calls: recorded.walks.length,
    skipped: recorded.skipped,
  };
}

