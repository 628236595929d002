import { twilioIvr } from "./twilio-ivr";

export default twilioIvr;
export { twilioIvr };
export { ConfigError, SessionError, StateError, UrlForError } from "./errors";
export type { ConfigErrorCode, SessionErrorCode, StateErrorCode } from "./errors";
export {
  isAsynchronousState,
  isBranchingState,
  isEndState,
  isNormalState,
  isRenderableState,
  isRoutableState,
  isValidState,
} from "./states";
export { MemoryStore } from "./sessions/memory-store";
export type { MemoryStoreOptions } from "./sessions/memory-store";
export { RedisStore } from "./sessions/redis-store";
export type { RedisEvalClient, RedisStoreOptions } from "./sessions/redis-store";
export { redirectCall } from "./sessions/redirect-call";
export { menu } from "./menus/menu";
export type { CallsClient, RedirectCallOptions } from "./sessions/redirect-call";
export type * from "./types";
