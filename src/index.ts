import { twilioIvr } from "./twilio-ivr";

export default twilioIvr;
export { twilioIvr };
export { ConfigError, StateError, UrlForError } from "./errors";
export type { ConfigErrorCode } from "./errors";
export {
  isAsynchronousState,
  isBranchingState,
  isEndState,
  isNormalState,
  isRenderableState,
  isRoutableState,
  isValidState,
} from "./states";
export type * from "./types";
