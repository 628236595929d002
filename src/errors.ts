/** Stable codes carried by {@link ConfigError}, so callers match on the code, not the prose. */
export type ConfigErrorCode =
  | "ERR_IVR_STATES_NOT_ARRAY"
  | "ERR_IVR_STATE_INVALID"
  | "ERR_IVR_ROUTE_CONFLICT"
  | "ERR_IVR_CONFIG_INVALID"
  | "ERR_IVR_STATIC_FILES_INVALID"
  | "ERR_IVR_HOLD_MUSIC_INVALID";

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

/** Raised while rendering or transitioning; reaches the app's error middleware via `next(err)`. */
export class StateError extends Error {
  readonly code: "ERR_IVR_RENDER" | "ERR_IVR_TRANSITION";
  /** Name of the state the error happened after. */
  readonly stateName: string;

  constructor(code: "ERR_IVR_RENDER" | "ERR_IVR_TRANSITION", stateName: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "StateError";
    this.code = code;
    this.stateName = stateName;
  }
}
