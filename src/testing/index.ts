import type { SimulatedCall } from "./simulated-call";
import type { SimulatorTarget } from "./transport";
import { exploreFlow, type MapFlowOptions } from "./flow/map-flow";
import type { FlowMap } from "./flow/graph";
import { prepareCall, type SimulateCallOptions } from "./prepare-call";

export type { MapFlowOptions } from "./flow/map-flow";
export type { SimulateCallOptions } from "./prepare-call";

export { SimulatedCall, CallStepError } from "./simulated-call";
export type { GatherInfo } from "./simulated-call";
export { TwimlError } from "./twiml-node";
export type { TwimlErrorCode, TwimlNode } from "./twiml-node";
export { parseTwiml } from "./twiml-document";
export { formatEntry, formatTranscript } from "./transcript";
export type { TranscriptEntry } from "./transcript";
export type { TracedStep, TracedStateKind } from "../types";
export type { SimulatorTarget } from "./transport";
export { sessionStoreContract } from "./store-contract";
export type { StoreContractCheck, StoreContractOptions } from "./store-contract";

/**
 * Places a simulated inbound call to a phone tree, the way Twilio would, and runs it until the
 * app waits for the caller (a `<Gather>`, `<Record>`, or hold) or the call ends.
 *
 * @param target - the Express app returned by `twilioIvr()` (used in-process, no port), any
 *   Node request listener, or the base URL of a running server.
 * @returns the call; drive it with `press`, `say`, `silence` and `hangUp`.
 * @throws CallStepError when the first step fails (non-200 answer, invalid TwiML, a loop).
 * @example
 * const call = await simulateCall(app, { uri: "/incoming-call" });
 * expect(call.lastSaid).toMatch(/Welcome/);
 * await call.press("1");
 */
export async function simulateCall(target: SimulatorTarget, options: SimulateCallOptions): Promise<SimulatedCall> {
  const { call, start } = prepareCall(target, options);
  await start();
  return call;
}

/**
 * Draws the map of a phone tree by exploring it with simulated calls, breadth first: at each
 * Gather it tries what the Gather can take (a menu's keys and phrases; each key for a one-key
 * Gather; its speech hints; your `inputs`) and silence, and follows redirects, holds and hangups.
 * A call is forked at each choice rather than replayed from the start. Nodes are states (one per
 * name, with what the caller hears), edges the caller's actions. Your states run for real,
 * background triggers included: map an app built with stand-ins for services with side effects.
 *
 * @param target - the app (in-process), or the URL of a running server (create that app with
 *   `trace: true`, or states show as the pages requested).
 * @example
 * const map = await mapFlow(app, { uri: "/incoming-call" });
 * fs.writeFileSync("flow.html", await toHtml(map));
 */
export function mapFlow(target: SimulatorTarget, options: MapFlowOptions): Promise<FlowMap> {
  return exploreFlow(target, options);
}

// Flow map: coverage
export { flowCoverage, readWalks, COVERAGE_ENV } from "./flow/coverage";
export type { RecordedCoverage, RecordedWalks } from "./flow/coverage";
export type { Walk, WalkedEdge } from "./flow/walk";

// Flow map: drawings
export { toDot } from "./flow/render-dot";
export type { DotOptions } from "./flow/render-dot";
export { toMermaid } from "./flow/render-mermaid";
export type { MermaidOptions } from "./flow/render-mermaid";
export { toSvg } from "./flow/render-svg";
export type { SvgOptions } from "./flow/render-svg";
export { toHtml } from "./flow/render-html";
export type { HtmlOptions } from "./flow/render-html";
export type { FlowMap, FlowNode, FlowEdge, FlowNodeKind, FlowEdgeKind, FlowCoverage } from "./flow/graph";
