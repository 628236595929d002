import { errorMessage } from "../error-message";
import { decodeTrace, TRACE_HEADER } from "../trace";
import { voiceParams } from "./call-params";
import type { FailStep } from "./call-step-error";
import type { CallSettings } from "./call-settings";
import type { TranscriptEntry } from "./transcript";
import type { TracedStep } from "../types";
import type { Transport, WebhookResponse } from "./transport";
import type { Method } from "./verb-attributes";

/** How a call ended, as its status callback reports it. */
export type FinalCallStatus = "completed" | "busy" | "no-answer";

/**
 * Sends the webhooks of one call with the parameters Twilio sends, records each in the
 * transcript, and fails a step whose requests loop without waiting for the caller.
 */
export class CallWebhooks {
  private requestsThisStep: string[] = [];
  private firstRequest = true;
  private startedAt = Date.now();
  /** The states each request went through, by its transcript entry, when the app reported them. */
  readonly traces = new Map<TranscriptEntry, readonly TracedStep[]>();
  /** The trace of the latest answer, if the app reported one. */
  lastTrace: readonly TracedStep[] | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly settings: Pick<CallSettings, "identity" | "params" | "maxRequestsPerStep" | "statusCallback">,
    private readonly record: (entry: TranscriptEntry) => void,
    private readonly fail: FailStep,
  ) {}

  /** Takes over another call's progress (for a fork): its traces, whether it started, and its start time. */
  adopt(other: CallWebhooks): void {
    for (const [entry, steps] of other.traces) this.traces.set(entry, steps);
    this.lastTrace = other.lastTrace;
    this.firstRequest = other.firstRequest;
    this.startedAt = other.startedAt;
  }

  /** A new step of the call: the requests without caller input are counted from zero again. */
  newStep(): void {
    this.requestsThisStep = [];
  }

  /** Sends one webhook with the call's parameters plus `extra` (which override them). */
  async send(method: Method, url: string, extra: Record<string, string>, callStatus?: "completed"): Promise<WebhookResponse> {
    this.requestsThisStep.push(`${method} ${url}`);
    if (this.requestsThisStep.length > this.settings.maxRequestsPerStep) {
      this.fail(
        `No caller input was needed for ${this.settings.maxRequestsPerStep} requests in a row: the TwiML loops without waiting for the caller.\n` +
          `Requests: ${this.requestsThisStep.slice(-8).join(" -> ")}`,
      );
    }
    const status = callStatus ?? (this.firstRequest ? "ringing" : "in-progress");
    this.firstRequest = false;
    const params = { ...voiceParams(this.settings.identity, status), ...this.settings.params, ...extra };
    let response: WebhookResponse;
    try {
      response = await this.transport.send({ method, url, params });
    } catch (err) {
      // Unreachable server, timeout, oversized body: Twilio logs all of these as an HTTP retrieval failure.
      // The transport's message already names the request.
      return this.fail(`Twilio error 11200: ${errorMessage(err)}`, 11200);
    }
    const entry: TranscriptEntry = { type: "request", method, url, status: response.status };
    const states = decodeTrace(response.headers[TRACE_HEADER]);
    if (states !== undefined) this.traces.set(entry, states);
    this.lastTrace = states;
    this.record(entry);
    return response;
  }

  /** Sends the final status callback, when one is configured. */
  async sendStatusCallback(status: FinalCallStatus): Promise<void> {
    const callback = this.settings.statusCallback;
    if (callback === undefined) return;
    const duration = status === "completed" ? String(Math.max(1, Math.round((Date.now() - this.startedAt) / 1000))) : "0";
    await this.send(callback.method, callback.url, { CallStatus: status, CallDuration: duration, Timestamp: new Date().toUTCString() }, "completed");
  }
}
