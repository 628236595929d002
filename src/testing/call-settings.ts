import type { CallIdentity } from "./call-params";
import type { TranscriptEntry } from "./transcript";
import type { Method } from "./verb-attributes";

/** Settings of one simulated call (resolved from `simulateCall`'s options). */
export interface CallSettings {
  identity: CallIdentity;
  /** Extra parameters sent on every webhook (e.g. `FromCity`). */
  params: Readonly<Record<string, string>>;
  /** Webhooks the app may answer without waiting for the caller, per step. */
  maxRequestsPerStep: number;
  /** `Confidence` sent with speech. */
  speechConfidence: number;
  /** `DialCallStatus` reported to a `<Dial action>`. */
  dialCallStatus: string;
  /** Wall-clock milliseconds waited per second of `<Pause>` (0: recorded, not waited for). */
  pauseMs: number;
  statusCallback: { url: string; method: Method } | undefined;
  /** Called for every transcript entry as it happens (the terminal phone prints them). */
  onEntry: ((entry: TranscriptEntry) => void) | undefined;
  /**
   * Record the call's walk for flow coverage after each step (when `TWILIO_FLOW_COVERAGE` names a
   * folder): true for `simulateCall`, false for mapFlow's exploration, which is not a test.
   */
  recordCoverage: boolean;
}
