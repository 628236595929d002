/** Stable codes carried by {@link ConfigError}, so callers match on the code, not the prose. */
export type ConfigErrorCode =
  | "ERR_IVR_STATES_NOT_ARRAY"
  | "ERR_IVR_STATE_INVALID"
  | "ERR_IVR_ROUTE_CONFLICT"
  /** A config key (or a store's option) is missing, ill-typed or points at nothing; the message names it. */
  | "ERR_IVR_CONFIG_INVALID";

/** Thrown by `twilioIvr()` when the states or the config cannot work. */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;

  constructor(code: ConfigErrorCode, message: string) {
    super(message);
    this.name = "ConfigError";
    this.code = code;
  }
}

/** Thrown by `urlFor` when asked for something it cannot build. */
export class UrlForError extends Error {
  readonly code = "ERR_IVR_URL_FOR";

  constructor(message: string) {
    super(message);
    this.name = "UrlForError";
  }
}

/** Codes of {@link StateError}. */
export type StateErrorCode =
  /** `twimlFor` gave something that is not TwiML, or a normal state has no route for its answers. */
  | "ERR_IVR_RENDER"
  /** `transitionOut` gave something that is not a state, or branching states loop. */
  | "ERR_IVR_TRANSITION"
  /** The request's state functions did not finish within `config.timeoutMs`. */
  | "ERR_IVR_TIMEOUT"
  /** A state function rejected with a value that is not an error at all (`undefined`, `null`, `""`, `0`, `false`). */
  | "ERR_IVR_EMPTY_REJECTION";

/** Raised while rendering or transitioning; reaches the app's error middleware via `next(err)`. */
export class StateError extends Error {
  readonly code: StateErrorCode;
  /** Name of the state the error happened after. */
  readonly stateName: string;

  constructor(code: StateErrorCode, stateName: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "StateError";
    this.code = code;
    this.stateName = stateName;
  }
}

/** Stable codes carried by {@link SessionError}. */
export type SessionErrorCode =
  /** A value (or the data `update` returned) is not JSON, or a key is not a non-empty string. */
  | "ERR_IVR_SESSION_VALUE"
  /** The request carries no usable `CallSid`, so there is no call to keep data for. */
  | "ERR_IVR_SESSION_NO_CALL"
  /** `update` kept losing races to other writers until its time ran out. */
  | "ERR_IVR_SESSION_CONFLICT"
  /** The store holds a field that is not JSON (written by something other than this library). */
  | "ERR_IVR_SESSION_CORRUPT";

/** Rejected by a call session's methods when a value, key or the stored data cannot work. */
export class SessionError extends Error {
  readonly code: SessionErrorCode;
  /** The call the session belongs to (`undefined` when the request had none). */
  readonly callSid: string | undefined;

  constructor(code: SessionErrorCode, callSid: string | undefined, message: string) {
    super(message);
    this.name = "SessionError";
    this.code = code;
    this.callSid = callSid;
  }
}
