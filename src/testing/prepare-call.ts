import { makeSid } from "./call-params";
import { SimulatedCall } from "./simulated-call";
import type { TranscriptEntry } from "./transcript";
import { createTransport, type SimulatorTarget } from "./transport";

/** Options of {@link simulateCall}. */
export interface SimulateCallOptions {
  /** Path (or absolute URL) of the voice webhook Twilio calls first, e.g. `/incoming-call`. Required. */
  uri: string;
  /** The caller's number. Default `+15005550006`. */
  from?: string;
  /** The number called. Default `+15005550001`. */
  to?: string;
  /** Sign every request with `X-Twilio-Signature` using this token (as Twilio does). Default: unsigned. */
  authToken?: string;
  /** Extra parameters sent with every webhook (e.g. `{ FromCity: "Boston" }`); they override the defaults. */
  params?: Readonly<Record<string, string>>;
  /**
   * Origin that webhook URLs are built on and signed with, for an in-process app. Default
   * `http://localhost`. For a URL target, the target's origin is used.
   */
  baseUrl?: string;
  /** Method of the first webhook. Default `POST` (Twilio's default for a number's voice URL). */
  method?: "GET" | "POST";
  /** Status callback URL (path or absolute); when set, a `completed` callback is sent when the call ends. */
  statusCallback?: string;
  /** Method of the status callback. Default `POST`. */
  statusCallbackMethod?: "GET" | "POST";
  /** Requests the app may chain (redirects, actions) without waiting for the caller, per step. Default 25. */
  maxRequestsPerStep?: number;
  /** `Confidence` sent with `SpeechResult`. Default 0.92. */
  speechConfidence?: number;
  /** `DialCallStatus` reported to a `<Dial action>`. Default `completed`. */
  dialCallStatus?: "completed" | "busy" | "no-answer" | "failed" | "canceled";
  /** Per-request time limit in milliseconds. Default 10000. */
  timeoutMs?: number;
  /** Called with every transcript entry as it happens. */
  onEntry?: (entry: TranscriptEntry) => void;
  /** CallSid to use. Default: a random `CA…` SID. */
  callSid?: string;
  /** AccountSid to use. Default: a random `AC…` SID. */
  accountSid?: string;
  /**
   * Wall-clock milliseconds the simulator waits per second of `<Pause>`: `1000` holds in real
   * time (the terminal phone does that), a small value such as `20` lets a test see a polling
   * loop (`<Pause length="1"/><Redirect>`) take time without slowing the suite. It applies to
   * every `<Pause>` the call runs: in a document, inside a `<Gather>`'s prompt, and in hold
   * (`waitUrl`) TwiML. The caller cannot act during a pause: a press, say or hang-up waits for it.
   * Default 0: pauses are recorded in the transcript but not waited for.
   */
  pauseMs?: number;
}

function checkOptions(options: SimulateCallOptions): void {
  if (typeof options !== "object" || options === null) throw new TypeError("simulateCall: options are required ({ uri: ... })");
  if (typeof options.uri !== "string" || options.uri === "") {
    throw new TypeError(`simulateCall: options.uri must be the webhook path, e.g. "/incoming-call"; got ${JSON.stringify(options.uri)}`);
  }
  const max = options.maxRequestsPerStep;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    throw new TypeError(`simulateCall: options.maxRequestsPerStep must be a positive integer, got ${String(max)}`);
  }
  const pauseMs: unknown = options.pauseMs;
  if (pauseMs !== undefined && (typeof pauseMs !== "number" || !Number.isFinite(pauseMs) || pauseMs < 0)) {
    throw new TypeError(
      `simulateCall: options.pauseMs must be a non-negative finite number (milliseconds per second of <Pause>), got ${typeof pauseMs === "number" ? String(pauseMs) : typeof pauseMs}`,
    );
  }
}

/**
 * A simulated call, made and not yet started: `start()` places it. What `simulateCall` and
 * `mapFlow` share; `internal.recordCoverage: false` is for calls that are not tests (exploring a
 * map, the map command's diagnosis), which must not count as walked in a coverage folder.
 */
export function prepareCall(
  target: SimulatorTarget,
  options: SimulateCallOptions,
  internal: { recordCoverage?: false } = {},
): { call: SimulatedCall; start: () => Promise<void> } {
  checkOptions(options);
  const transport = createTransport(target, {
    ...(options.authToken === undefined ? {} : { authToken: options.authToken }),
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const resolve = (pathOrUrl: string): string => new URL(pathOrUrl, transport.baseUrl).toString();
  const call = new SimulatedCall(transport, {
    identity: {
      callSid: options.callSid ?? makeSid("CA"),
      accountSid: options.accountSid ?? makeSid("AC"),
      from: options.from ?? "+15005550006",
      to: options.to ?? "+15005550001",
    },
    params: options.params ?? {},
    maxRequestsPerStep: options.maxRequestsPerStep ?? 25,
    speechConfidence: options.speechConfidence ?? 0.92,
    dialCallStatus: options.dialCallStatus ?? "completed",
    pauseMs: options.pauseMs ?? 0,
    statusCallback:
      options.statusCallback === undefined ? undefined : { url: resolve(options.statusCallback), method: options.statusCallbackMethod ?? "POST" },
    onEntry: options.onEntry,
    recordCoverage: internal.recordCoverage ?? true,
  });
  return { call, start: () => call.start(options.method ?? "POST", resolve(options.uri)) };
}
