import express from "express";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { ConfigError } from "../errors";
import { log } from "../logger";
import { isNormalState, isRoutableState, stateName } from "../states";
import type { NormalState, State } from "../types";
import { createUrlFor, type UrlForSettings } from "../url-for";
import { parseTwilioBody } from "./body";
import { toInputData } from "./input";
import { renderState, transitionFrom, type RenderContext } from "./render";
import { isPathPattern, routeKey } from "./route-path";

/** What a POST to a registered path does. */
export type RouteAction =
  | { kind: "render"; state: State; path: string; owner: string }
  | { kind: "transition"; state: NormalState; path: string; owner: string };

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
export function buildRouteTable(states: readonly State[], reserved: readonly ReservedPath[]): RouteTable {
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
      if (existing.state === action.state && existing.kind === action.kind) return;
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

/** Settings the request handlers need. */
export interface DispatchSettings {
  urlFor: UrlForSettings;
  /** Signature check to run after the body is parsed, or undefined when validation is off. */
  signatureCheck: RequestHandler | undefined;
}

/**
 * One middleware that answers every state route: a single map lookup per request, so the
 * cost does not grow with the number of states (Express would scan its routes in order).
 */
export function createDispatcher(table: RouteTable, settings: DispatchSettings): RequestHandler {
  function respond(action: RouteAction, req: Request, res: Response, next: NextFunction): void {
    const context: RenderContext = { urlFor: createUrlFor(req, settings.urlFor), hasRoute: table.has };
    const input = toInputData(req.body);
    const work =
      action.kind === "render" ? renderState(action.state, input, context) : transitionFrom(action.state, input, context);
    work.then(
      (twiml) => {
        res.status(200).type("text/xml; charset=utf-8").send(twiml);
      },
      (err: unknown) => {
        log.error("%s %s: %s", req.method, req.originalUrl, err instanceof Error ? err.message : String(err));
        next(err);
      },
    );
  }

  function run(action: RouteAction, req: Request, res: Response, next: NextFunction): void {
    parseTwilioBody(req, res, () => {
      if (settings.signatureCheck === undefined) {
        respond(action, req, res, next);
        return;
      }
      settings.signatureCheck(req, res, () => {
        respond(action, req, res, next);
      });
    });
  }

  const patternRouter = table.patterns.length > 0 ? createPatternRouter(table.patterns, run) : undefined;

  return function dispatchStateRoute(req, res, next) {
    if (req.method !== "POST") {
      next();
      return;
    }
    const action = table.literal.get(routeKey(req.path));
    if (action !== undefined) {
      run(action, req, res, next);
    } else if (patternRouter !== undefined) {
      patternRouter(req, res, next);
    } else {
      next();
    }
  };
}

function createPatternRouter(
  actions: readonly RouteAction[],
  run: (action: RouteAction, req: Request, res: Response, next: NextFunction) => void,
): RequestHandler {
  const router = express.Router();
  for (const action of actions) {
    try {
      router.post(action.path, (req, res, next) => {
        run(action, req, res, next);
      });
    } catch (err) {
      throw new ConfigError(
        "ERR_IVR_STATE_INVALID",
        `Invalid state provided: ${action.owner} is not a valid Express path: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  return router;
}
