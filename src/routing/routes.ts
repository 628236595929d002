import express from "express";
import type { RequestHandler } from "express";
import { ConfigError } from "../errors";
import { errorMessage } from "../error-message";
import { isNormalState, isRoutableState, stateName } from "../states";
import type { InputData, NormalState, State } from "../types";
import type { EndpointOptions, PipelineHandler, WebhookAnswer, WebhookHandler } from "./pipeline";
import { TWIML_TYPE } from "./pipeline";
import { transitionWithRequest } from "../state-hooks";
import { renderState, transitionFrom, type RenderContext } from "./render";
import type { MaybePromise } from "./steps";
import { isPathPattern, routeKey } from "./route-path";

/** What a POST to a registered path does. */
export type RouteAction =
  | { kind: "render"; state: State; path: string; owner: string }
  | { kind: "transition"; state: NormalState; path: string; owner: string }
  /** A library endpoint that is not a state and answers no TwiML (the sessions' status callback). */
  | { kind: "endpoint"; state?: undefined; handle: WebhookHandler; path: string; owner: string };

/** Paths claimed by something other than a state (e.g. the hold-music endpoint). */
export interface ReservedPath {
  path: string;
  owner: string;
}

/** Every POST route of the app, indexed for one lookup per request. */
export interface RouteTable {
  /** Literal paths by {@link routeKey}. */
  literal: Map<string, RouteAction>;
  /** Express path patterns, matched by an Express router after the literal lookup misses. */
  patterns: RouteAction[];
  /** True when a POST route exists for the path. */
  has: (path: string) => boolean;
}

function label(state: State, index: number): string {
  return `states[${index}] ("${stateName(state)}")`;
}

/**
 * Collects the POST routes of all states and rejects two claims on the same path.
 * @param reserved - other endpoints that states must not shadow.
 */
export function buildRouteTable(
  states: readonly State[],
  reserved: readonly ReservedPath[],
  endpoints: readonly Extract<RouteAction, { kind: "endpoint" }>[] = [],
): RouteTable {
  const literal = new Map<string, RouteAction>();
  const patterns: RouteAction[] = [];
  const patternOwners = new Map<string, RouteAction>();
  const conflicts: string[] = [];
  const reservedByKey = new Map(reserved.map((r) => [routeKey(r.path), r]));

  const claim = (action: RouteAction): void => {
    const key = isPathPattern(action.path) ? action.path : routeKey(action.path);
    const index = isPathPattern(action.path) ? patternOwners : literal;
    const existing = index.get(key);
    if (existing !== undefined) {
      // The same state listed twice is harmless: keep one route.
      if (existing.state !== undefined && existing.state === action.state && existing.kind === action.kind) return;
      conflicts.push(`${action.owner} and ${existing.owner} both claim POST ${action.path}`);
      return;
    }
    const other = reservedByKey.get(key);
    if (other !== undefined) {
      conflicts.push(`${action.owner} claims POST ${action.path}, which is the ${other.owner}`);
      return;
    }
    index.set(key, action);
    if (index === patternOwners) patterns.push(action);
  };

  endpoints.forEach(claim);
  states.forEach((state, i) => {
    if (isRoutableState(state)) {
      claim({ kind: "render", state, path: state.uri, owner: `${label(state, i)} (uri)` });
    }
    if (isNormalState(state)) {
      claim({
        kind: "transition",
        state,
        path: state.processTransitionUri,
        owner: `${label(state, i)} (processTransitionUri)`,
      });
    }
  });
  if (conflicts.length > 0) {
    throw new ConfigError("ERR_IVR_ROUTE_CONFLICT", `Conflicting routes: ${conflicts.join("; ")}`);
  }

  const patternPaths = new Set(patterns.map((p) => p.path));
  return {
    literal,
    patterns,
    has: (path) => literal.has(routeKey(path)) || patternPaths.has(path),
  };
}

type Wrap = (handler: WebhookHandler, options?: EndpointOptions) => PipelineHandler;

/**
 * The pipeline's handler for one route: render the state, run its transition, or the endpoint.
 * @param wrap - the app's request pipeline.
 */
function routeHandler(action: RouteAction, table: RouteTable, wrap: Wrap): PipelineHandler {
  if (action.kind === "endpoint") return wrap(action.handle, { answersTwiml: false });
  // Only library-made states (menus) read the query: parse it for them alone.
  const readsQuery = action.kind === "transition" && transitionWithRequest(action.state) !== undefined;
  const run: (input: InputData, context: RenderContext) => MaybePromise<string> =
    action.kind === "render" ? (input, context) => renderState(action.state, input, context) : (input, context) => transitionFrom(action.state, input, context);
  return wrap(({ req, input, urlFor, session, progress }) => {
    const context = { urlFor, hasRoute: table.has, session, progress, request: readsQuery ? { query: req.query as Record<string, unknown> } : undefined };
    const body = run(input, context);
    // Synchronous states (most) are answered without a promise.
    return typeof body === "string" ? twimlAnswer(body) : body.then(twimlAnswer);
  });
}

function twimlAnswer(body: string): WebhookAnswer {
  return { status: 200, body, contentType: TWIML_TYPE };
}

/**
 * One middleware that answers every POST route: a single map lookup per request, so the cost
 * does not grow with the number of states (Express would scan its routes in order).
 */
export function createDispatcher(table: RouteTable, wrap: Wrap): RequestHandler {
  const literal = new Map<string, PipelineHandler>();
  for (const [key, action] of table.literal) literal.set(key, routeHandler(action, table, wrap));
  const patternRouter = table.patterns.length > 0 ? createPatternRouter(table.patterns, (action) => routeHandler(action, table, wrap)) : undefined;

  return function dispatchStateRoute(req, res, next) {
    if (req.method !== "POST") {
      next();
      return;
    }
    const handler = literal.get(routeKey(req.path));
    if (handler !== undefined) {
      handler(req, res, next);
    } else if (patternRouter !== undefined) {
      patternRouter(req, res, next);
    } else {
      next();
    }
  };
}

function createPatternRouter(actions: readonly RouteAction[], handlerFor: (action: RouteAction) => PipelineHandler): RequestHandler {
  const router = express.Router();
  for (const action of actions) {
    try {
      router.post(action.path, handlerFor(action));
    } catch (err) {
      throw new ConfigError("ERR_IVR_STATE_INVALID", `Invalid state provided: ${action.owner} is not a valid Express path: ${errorMessage(err)}`);
    }
  }
  return router;
}
