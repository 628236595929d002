import express from "express";
import type { Express } from "express";
import { resolveConfig, type ResolvedConfig } from "./config";
import { ConfigError } from "./errors";
import { createPathFingerprinter, type Fingerprinter } from "./fingerprint";
import { errorMessage } from "./error-message";
import { log } from "./logger";
import { createSignatureVerifier } from "./request-validation";
import { createPipeline } from "./routing/pipeline";
import { buildRouteTable, createDispatcher, type ReservedPath, type RouteAction } from "./routing/routes";
import { createStatusCallbackHandler } from "./sessions/status-callback";
import { describeValue, stateName, stateProblems } from "./states";
import { fingerprintDirectory } from "./static-files";
import { createStaticMount } from "./static-mount";
import type { Config, SessionData, State } from "./types";

function looksLikeRequest(it: unknown): boolean {
  return typeof it === "object" && it !== null && "method" in it && "headers" in it;
}

/** Checks every state, listing all problems in one error. */
function checkStates(states: unknown): readonly State[] {
  if (!Array.isArray(states)) {
    let hint = "";
    if (looksLikeRequest(states)) {
      hint = " (it looks like an HTTP request: call twilioIvr(states, config) and pass the app it returns to app.use)";
    } else if (typeof states === "object" && states !== null && "twilio" in states) {
      hint = " (that looks like the config: the call is twilioIvr(states, config))";
    }
    throw new ConfigError("ERR_IVR_STATES_NOT_ARRAY", `states must be an array of states, got ${describeValue(states)}${hint}`);
  }
  const problems: string[] = [];
  const seenNames = new Map<string, number>();
  states.forEach((state: unknown, i) => {
    const reasons = stateProblems(state);
    if (reasons.length > 0) {
      problems.push(`Invalid state provided: states[${i}] ("${stateName(state)}") ${reasons.join("; it ")}`);
      return;
    }
    const name = (state as State).name;
    if (name === undefined) return;
    const first = seenNames.get(name);
    if (first === undefined) seenNames.set(name, i);
    // The original accepted reused names and apps rely on that: warn only.
    else if (states[first] !== state) log.warn('states[%d] and states[%d] share the name "%s"; logs will not tell them apart', first, i, name);
  });
  if (problems.length > 0) throw new ConfigError("ERR_IVR_STATE_INVALID", problems.join("\n"));
  return states as readonly State[];
}

/** Fingerprints for `urlFor`, from the directory scan or the user's function. */
function createFingerprinter(config: ResolvedConfig): Fingerprinter | undefined {
  const staticFiles = config.staticFiles;
  if (staticFiles === undefined) return undefined;
  const { mountPath, holdMusic, source } = staticFiles;
  if (source.kind === "fingerprintUrl") return source.fingerprintUrl;

  const publicHashes = new Map<string, string>();
  for (const [file, md5] of fingerprintDirectory(source.dir)) publicHashes.set(`${mountPath}/${file}`, md5);
  if (holdMusic !== undefined) {
    const musicHash = publicHashes.get(holdMusic.filePath);
    if (musicHash === undefined) {
      throw new ConfigError(
        "ERR_IVR_CONFIG_INVALID",
        `config.staticFiles.holdMusic.fileRelativeUri: no file ${JSON.stringify(holdMusic.filePath.slice(mountPath.length + 1))} in ${JSON.stringify(source.dir)}`,
      );
    }
    // The endpoint's TwiML only changes when the music does, so it shares the music's fingerprint.
    publicHashes.set(holdMusic.endpointPath, musicHash);
  }
  return createPathFingerprinter(mountPath, publicHashes);
}

/**
 * Builds the Express app that runs your phone tree: one POST route per `uri` and
 * `processTransitionUri`, static files with far-future caching, the hold-music endpoint,
 * and Twilio signature checks. Validates everything before returning.
 *
 * @param states - every state of the call system (non-routable ones may be omitted).
 * @param config - Twilio, urlFor and static-file settings.
 * @returns an Express app to `listen` on or mount with `outer.use(prefix, app)`.
 * @throws ConfigError naming the offending state or config key.
 * @example
 * const app = twilioIvr([entryState, endState], {
 *   twilio: { authToken: process.env.TWILIO_AUTH_TOKEN ?? "" },
 *   urlFor: { host: () => "ivr.example.com", scheme: () => "https" },
 * });
 * app.listen(3000);
 */
export function twilioIvr<Data extends object = SessionData>(states: readonly State<Data>[], config: Config): Express {
  const checkedStates = checkStates(states);
  const resolved = resolveConfig(config);
  if (!resolved.validate && process.env.NODE_ENV === "production") {
    // Works, but is almost certainly a mistake: anyone could then drive the phone tree.
    process.emitWarning("twilio-interactive-flow: config.twilio.validate is false under NODE_ENV=production; unsigned requests are accepted", {
      code: "IVR_VALIDATION_OFF",
    });
  }
  const holdMusic = resolved.staticFiles?.holdMusic;
  const reserved: ReservedPath[] =
    holdMusic === undefined ? [] : [{ path: holdMusic.endpointPath, owner: "hold-music endpoint (config.staticFiles.holdMusic)" }];
  const sessions = resolved.sessions;
  const endpoints: Extract<RouteAction, { kind: "endpoint" }>[] =
    sessions?.statusCallbackUri === undefined
      ? []
      : [{ kind: "endpoint", path: sessions.statusCallbackUri, owner: "config.sessions.statusCallbackUri", handle: createStatusCallbackHandler(sessions.store) }];
  const table = buildRouteTable(checkedStates, reserved, endpoints);
  // Every endpoint below answers through this one pipeline: parse, signature, session, handler.
  const wrap = createPipeline({
    urlFor: { fingerprinter: createFingerprinter(resolved), host: resolved.host, scheme: resolved.scheme },
    isSigned: resolved.validate ? createSignatureVerifier(resolved) : undefined,
    sessions: sessions === undefined ? undefined : { store: sessions.store, ttlSeconds: sessions.ttlSeconds },
    timeoutMs: resolved.timeoutMs,
    onError: resolved.onError,
    trace: resolved.trace,
  });

  if (sessions?.store.init !== undefined) {
    // Warm-up only: a store that cannot connect yet fails its first request instead, which says why.
    sessions.store.init().catch((err: unknown) => {
      log.warn("session store init failed (it will be retried on first use): %s", errorMessage(err));
    });
  }

  const app = express();
  app.use(createDispatcher(table, wrap));
  if (resolved.staticFiles !== undefined) {
    app.use(resolved.staticFiles.mountPath || "/", createStaticMount(resolved.staticFiles, wrap));
  }
  return app;
}
