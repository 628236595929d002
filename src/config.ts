import path from "node:path";
import type { Request, RequestHandler } from "express";
import { ConfigError } from "./errors";
import { describeValue } from "./states";
import { MemoryStore } from "./sessions/memory-store";
import { checkTtl, isSessionStore, type SessionStore } from "./sessions/store";
import type { Config, HoldMusicConfig, SessionsConfig, TwimlResult, UrlFor } from "./types";

/** Static-file settings with defaults filled in and paths normalised. */
export interface ResolvedStaticFiles {
  /** `""` when there is no mount path; otherwise starts with `/` and has no trailing slash. */
  mountPath: string;
  middleware: RequestHandler | undefined;
  source: { kind: "path"; dir: string } | { kind: "fingerprintUrl"; fingerprintUrl: (url: string) => string };
  holdMusic: ResolvedHoldMusic | undefined;
}

export interface ResolvedHoldMusic {
  /** Public path of the music file, mount path included, e.g. `/static/hold.mp3`. */
  filePath: string;
  /** Public path of the endpoint, mount path included, e.g. `/static/hold-music`. */
  endpointPath: string;
  /** Endpoint path relative to the mount, e.g. `/hold-music`. */
  endpoint: string;
  twimlFor: ((urlFor: UrlFor) => TwimlResult) | undefined;
}

/** `config.sessions` with the default store filled in. */
export interface ResolvedSessions {
  store: SessionStore;
  ttlSeconds: number | undefined;
  statusCallbackUri: string | undefined;
}

/** What the library runs on: `Config` with every default filled in. */
export interface ResolvedConfig {
  /** Every token a signature may be made with: the current one first (rotation). `[""]` only when not validating. */
  authTokens: readonly string[];
  validate: boolean;
  host: (req: Request) => string;
  scheme: ((req: Request) => string) | undefined;
  staticFiles: ResolvedStaticFiles | undefined;
  sessions: ResolvedSessions | undefined;
  timeoutMs: number;
  onError: Config["onError"];
  trace: boolean;
}

type KnownKeys<T> = { readonly [K in keyof Required<T>]: true };

const knownConfigKeys: KnownKeys<Config> = { twilio: true, urlFor: true, staticFiles: true, sessions: true, timeoutMs: true, onError: true, trace: true };

/** Default bound on a request's state functions: well under the 15 s after which Twilio gives up. */
export const DEFAULT_TIMEOUT_MS = 10_000;
const TWILIO_GIVES_UP_MS = 15_000;
const knownSessionsKeys: KnownKeys<SessionsConfig> = { store: true, ttlSeconds: true, statusCallbackUri: true };
const knownTwilioKeys: KnownKeys<Config["twilio"]> = { authToken: true, validate: true };
const knownUrlForKeys: KnownKeys<Config["urlFor"]> = { host: true, scheme: true };
const knownStaticKeys = { path: true, fingerprintUrl: true, mountPath: true, middleware: true, holdMusic: true } as const;
const knownHoldMusicKeys: KnownKeys<HoldMusicConfig> = { fileRelativeUri: true, endpoint: true, twimlFor: true };

function fail(key: string, message: string): never {
  throw new ConfigError("ERR_IVR_CONFIG_INVALID", `config.${key} ${message}`);
}

function isPlainObject(it: unknown): it is Record<string, unknown> {
  return typeof it === "object" && it !== null && !Array.isArray(it);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

/** Warns (does not throw: the original accepted extra keys) about keys we do not know, with a did-you-mean. */
function warnUnknownKeys(where: string, object: Record<string, unknown>, known: Readonly<Record<string, true>>): void {
  const knownNames = Object.keys(known);
  for (const key of Object.keys(object)) {
    if (Object.hasOwn(known, key)) continue;
    const guess = knownNames.find((name) => editDistance(name, key) <= 2);
    const hint = guess === undefined ? `known keys: ${knownNames.join(", ")}` : `did you mean \`${guess}\`?`;
    process.emitWarning(`twilio-interactive-flow: unknown key \`${where}.${key}\` is ignored; ${hint}`, {
      code: "IVR_UNKNOWN_CONFIG_KEY",
    });
  }
}

type AnyFunction = (...args: never[]) => unknown;

function optionalFunction(value: unknown, key: string): AnyFunction | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "function") fail(key, `must be a function, got ${describeValue(value)}`);
  return value as AnyFunction;
}

function resolveMountPath(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value !== "string" || !value.startsWith("/")) {
    fail("staticFiles.mountPath", `must be a string starting with "/", got ${describeValue(value)}`);
  }
  return value.replace(/\/+$/, "");
}

function resolveHoldMusic(value: unknown, mountPath: string): ResolvedHoldMusic | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) fail("staticFiles.holdMusic", `must be an object, got ${describeValue(value)}`);
  warnUnknownKeys("config.staticFiles.holdMusic", value, knownHoldMusicKeys);
  const { fileRelativeUri, endpoint = "/hold-music" } = value;
  if (typeof fileRelativeUri !== "string" || fileRelativeUri.replace(/^(\.\/|\/)+/, "") === "") {
    fail(
      "staticFiles.holdMusic.fileRelativeUri",
      `is required: the music file's path relative to the static mount (e.g. "hold.mp3"), got ${describeValue(fileRelativeUri)}`,
    );
  }
  if (typeof endpoint !== "string" || !endpoint.startsWith("/") || endpoint.length < 2) {
    fail("staticFiles.holdMusic.endpoint", `must be a path starting with "/" (default "/hold-music"), got ${describeValue(endpoint)}`);
  }
  const relative = fileRelativeUri.replace(/^(\.\/|\/)+/, "");
  const cleanEndpoint = endpoint.replace(/(.)\/+$/, "$1");
  return {
    filePath: `${mountPath}/${relative}`,
    endpoint: cleanEndpoint,
    endpointPath: `${mountPath}${cleanEndpoint}`,
    twimlFor: optionalFunction(value.twimlFor, "staticFiles.holdMusic.twimlFor") as ResolvedHoldMusic["twimlFor"],
  };
}

function resolveStaticFiles(value: unknown): ResolvedStaticFiles | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) fail("staticFiles", `must be an object, got ${describeValue(value)}`);
  warnUnknownKeys("config.staticFiles", value, knownStaticKeys);
  const hasPath = value.path !== undefined;
  const hasFingerprintUrl = value.fingerprintUrl !== undefined;
  if (hasPath === hasFingerprintUrl) {
    throw new ConfigError(
      "ERR_IVR_CONFIG_INVALID",
      `config.staticFiles needs exactly one of \`path\` (a directory to fingerprint) or \`fingerprintUrl\` (your own function), got ${hasPath ? "both" : "neither"}`,
    );
  }
  let source: ResolvedStaticFiles["source"];
  if (hasPath) {
    if (typeof value.path !== "string" || !path.isAbsolute(value.path)) {
      throw new ConfigError(
        "ERR_IVR_CONFIG_INVALID",
        `config.staticFiles.path must be an absolute directory path, got ${describeValue(value.path)}`,
      );
    }
    source = { kind: "path", dir: path.resolve(value.path) };
  } else {
    if (typeof value.fingerprintUrl !== "function") {
      throw new ConfigError(
        "ERR_IVR_CONFIG_INVALID",
        `config.staticFiles.fingerprintUrl must be a function, got ${describeValue(value.fingerprintUrl)}`,
      );
    }
    source = { kind: "fingerprintUrl", fingerprintUrl: value.fingerprintUrl as (url: string) => string };
  }
  const mountPath = resolveMountPath(value.mountPath);
  return {
    mountPath,
    middleware: optionalFunction(value.middleware, "staticFiles.middleware") as RequestHandler | undefined,
    source,
    holdMusic: resolveHoldMusic(value.holdMusic, mountPath),
  };
}

function resolveSessions(value: unknown): ResolvedSessions | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) fail("sessions", `must be an object ({ store?, ttlSeconds?, statusCallbackUri? }), got ${describeValue(value)}`);
  warnUnknownKeys("config.sessions", value, knownSessionsKeys);
  const { store, statusCallbackUri } = value;
  if (store !== undefined && !isSessionStore(store)) {
    fail("sessions.store", `must be a session store with get, compareAndSet and destroy methods (e.g. new MemoryStore() or new RedisStore({ url })), got ${describeValue(store)}`);
  }
  if (statusCallbackUri !== undefined && (typeof statusCallbackUri !== "string" || !statusCallbackUri.startsWith("/"))) {
    fail("sessions.statusCallbackUri", `must be a path starting with "/", got ${describeValue(statusCallbackUri)}`);
  }
  return {
    store: store ?? new MemoryStore(),
    ttlSeconds: checkTtl(value.ttlSeconds, "config.sessions.ttlSeconds"),
    statusCallbackUri,
  };
}

/** `twilio.authToken`: one token, or several while rotating (current first). Never echoed: only types are described. */
function resolveAuthTokens(value: unknown, validate: boolean): string[] {
  const tokens = Array.isArray(value) ? (value as unknown[]) : [value];
  if (Array.isArray(value) && value.length === 0) fail("twilio.authToken", "is an empty list; give your auth token (or, while rotating, the current one first, then the old one)");
  tokens.forEach((token, i) => {
    const where = Array.isArray(value) ? `twilio.authToken[${i}]` : "twilio.authToken";
    if (typeof token !== "string") fail(where, `is required and must be a string${Array.isArray(value) ? "" : " (or a list of them while rotating)"}, got ${token === undefined ? "undefined" : typeof token}`);
    if (validate && token === "") fail(where, "is empty but `twilio.validate` is true; set the token, or `validate: false` for development");
  });
  return tokens as string[];
}

function resolveTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    fail("timeoutMs", `must be a positive number of milliseconds (default ${DEFAULT_TIMEOUT_MS}), got ${describeValue(value)}`);
  }
  if (value >= TWILIO_GIVES_UP_MS) {
    process.emitWarning(
      `twilio-interactive-flow: config.timeoutMs is ${value} ms, but Twilio gives up on a webhook after 15000 ms: callers would hear Twilio's generic error first`,
      { code: "IVR_TIMEOUT_TOO_LONG" },
    );
  }
  return value;
}

function resolveTrace(value: unknown): boolean {
  if (value !== undefined && typeof value !== "boolean") fail("trace", `must be true or false (default false), got ${describeValue(value)}`);
  return value === true;
}

/**
 * Checks the user's config and fills in defaults.
 * @throws ConfigError naming the offending key.
 */
export function resolveConfig(config: unknown): ResolvedConfig {
  if (!isPlainObject(config)) {
    const hint = Array.isArray(config) ? " (did you swap the arguments? it is twilioIvr(states, config))" : "";
    throw new ConfigError("ERR_IVR_CONFIG_INVALID", `config must be an object, got ${config === null ? "null" : Array.isArray(config) ? "an array" : typeof config}${hint}`);
  }
  warnUnknownKeys("config", config, knownConfigKeys);

  const { twilio, urlFor } = config;
  // Describe only the type: a misplaced token (`twilio: process.env.TOKEN`) must not be echoed.
  if (!isPlainObject(twilio)) fail("twilio", `is required: an object with \`authToken\`, got ${twilio === null ? "null" : typeof twilio}`);
  warnUnknownKeys("config.twilio", twilio, knownTwilioKeys);
  const validate = twilio.validate ?? true;
  if (typeof validate !== "boolean") fail("twilio.validate", `must be a boolean, got ${describeValue(validate)}`);
  const authTokens = resolveAuthTokens(twilio.authToken, validate);

  if (!isPlainObject(urlFor)) fail("urlFor", `is required: an object with a \`host\` function, got ${describeValue(urlFor)}`);
  warnUnknownKeys("config.urlFor", urlFor, knownUrlForKeys);
  if (typeof urlFor.host !== "function") fail("urlFor.host", `is required and must be a function, got ${describeValue(urlFor.host)}`);

  return {
    authTokens,
    validate,
    host: urlFor.host as (req: Request) => string,
    scheme: optionalFunction(urlFor.scheme, "urlFor.scheme") as ResolvedConfig["scheme"],
    staticFiles: resolveStaticFiles(config.staticFiles),
    sessions: resolveSessions(config.sessions),
    timeoutMs: resolveTimeout(config.timeoutMs),
    onError: optionalFunction(config.onError, "onError") as Config["onError"],
    trace: resolveTrace(config.trace),
  };
}
