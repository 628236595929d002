import { CallStepError, type FailStep } from "./call-step-error";
import type { CallSettings } from "./call-settings";
import { CallWebhooks, type FinalCallStatus } from "./call-webhooks";
import { recordCoverage } from "./flow/coverage";
import { gatherInfo, inputEntry, type CallerInput, type GatherInfo } from "./caller-input";
import { SerialSteps } from "./serial-steps";
import { formatTranscript, type TranscriptEntry } from "./transcript";
import type { Transport } from "./transport";
import { TwimlExecutor, type Waiting } from "./twiml-executor";
import type { Method } from "./verb-attributes";
import type { TracedStep } from "../types";

export { CallStepError } from "./call-step-error";
export type { CallSettings } from "./call-settings";
export type { GatherInfo } from "./caller-input";

/**
 * A phone call driven the way Twilio drives one: it sends the webhooks, executes the TwiML
 * that comes back, and waits for the caller at every `<Gather>`, `<Record>` or hold.
 */
export class SimulatedCall {
  private readonly entries: TranscriptEntry[] = [];
  /** The caller's latest input at a Gather, Record or hold. */
  private lastInput: Extract<TranscriptEntry, { type: "input" }> | undefined;
  private hasEnded = false;
  private hasFailed = false;
  /** Adds to the transcript (bound: the call's parts record through it too). */
  private readonly record = (entry: TranscriptEntry): void => {
    this.entries.push(entry);
    this.settings.onEntry?.(entry);
  };
  /** Fails the current step with the transcript so far (bound, like `record`). */
  private readonly fail: FailStep = (message, code, element) => {
    // The error's transcript must not show input that went to a sensitive state.
    this.hideLastInputIfSensitive();
    throw new CallStepError(message, this.entries, code, element);
  };
  /** Serialises steps: a caller action waits for the previous one to finish. */
  private readonly steps = new SerialSteps();
  private readonly webhooks: CallWebhooks;
  /** Runs the app's TwiML; holds what the call waits for. */
  private readonly executor: TwimlExecutor;

  constructor(
    private readonly transport: Transport,
    private readonly settings: CallSettings,
  ) {
    this.webhooks = new CallWebhooks(transport, settings, this.record, this.fail);
    this.executor = new TwimlExecutor({
      settings,
      webhooks: this.webhooks,
      record: this.record,
      fail: this.fail,
      endCall: (status) => this.endCall(status),
    });
  }

  /** Everything that happened so far, in order. */
  get transcript(): readonly TranscriptEntry[] {
    return this.entries;
  }

  /** Every text said to the caller so far (`<Say>`), in order. */
  get said(): readonly string[] {
    return this.entries.flatMap((e) => (e.type === "say" ? [e.text] : []));
  }

  /** The text of the last `<Say>`, or undefined when nothing has been said. */
  get lastSaid(): string | undefined {
    return this.said.at(-1);
  }

  /** Every URL played to the caller so far (`<Play>`), in order. */
  get played(): readonly string[] {
    return this.entries.flatMap((e) => (e.type === "play" ? [e.url] : []));
  }

  /** True once the call is over (hung up by either side, rejected, out of TwiML, or failed). */
  get ended(): boolean {
    return this.hasEnded;
  }

  /** True once a step failed (an error answer, invalid TwiML, a loop): the call is over. */
  get failed(): boolean {
    return this.hasFailed;
  }

  /** The last TwiML document the app returned, as text. */
  get twiml(): string | undefined {
    return this.executor.lastTwiml;
  }

  /** What the call waits for: `gather`, `record`, `hold`, `forever` (an endless Play), or `ended`. */
  get waitingFor(): Waiting["kind"] | "ended" {
    const { waiting } = this.executor;
    return this.hasEnded || waiting === undefined ? "ended" : waiting.kind;
  }

  /**
   * The states the app went through, request by request, in order: which function of which state
   * ran, and what kind of state it is. Branching states that never show on the wire are here too.
   * Known when the app reports its trace: an app in this process (or on this machine) always does
   * for the simulator; one elsewhere when created with `trace: true`. Empty otherwise.
   */
  get states(): readonly TracedStep[] {
    return this.entries.flatMap((e) => this.webhooks.traces.get(e) ?? []);
  }

  /**
   * The `<Gather>` the call waits at, as the caller would need to know it: what it listens for,
   * how many keys it takes, its finishing key and speech hints. Undefined when not at a Gather.
   */
  get gather(): GatherInfo | undefined {
    const { waiting } = this.executor;
    return this.hasEnded || waiting?.kind !== "gather" ? undefined : gatherInfo(waiting.node);
  }

  /**
   * A copy of the call as it is now, to try something else from here: it has the transcript so far
   * and waits for the same thing, and its steps go on separately. Both keep the same CallSid, so
   * the app sees one call (with its session data) taking several paths. Waits for a step in
   * progress to finish first.
   */
  async fork(): Promise<SimulatedCall> {
    let twin: SimulatedCall | undefined;
    await this.steps.run(() => {
      twin = new SimulatedCall(this.transport, this.settings);
      twin.entries.push(...this.entries);
      twin.hasEnded = this.hasEnded;
      twin.hasFailed = this.hasFailed;
      twin.lastInput = this.lastInput;
      twin.webhooks.adopt(this.webhooks);
      twin.executor.adopt(this.executor);
      return Promise.resolve();
    });
    return twin as SimulatedCall;
  }

  /** The states one request of this call went through (`entry` is a `request` entry of its transcript), when the app reported them. */
  statesOf(entry: TranscriptEntry): readonly TracedStep[] | undefined {
    return this.webhooks.traces.get(entry);
  }

  /** The CallSid sent on every webhook. */
  get callSid(): string {
    return this.settings.identity.callSid;
  }

  /** The transcript as readable lines. */
  toString(): string {
    return formatTranscript(this.entries);
  }

  /** What test runners print for the call (e.g. in a failed `expect(call)`): its state and readable transcript. */
  toJSON(): { callSid: string; ended: boolean; waitingFor: string; transcript: string[] } {
    return { callSid: this.callSid, ended: this.ended, waitingFor: this.waitingFor, transcript: formatTranscript(this.entries).split("\n") };
  }

  /** Starts the call: the first webhook, and everything up to the first wait. */
  start(method: Method, url: string): Promise<void> {
    return this.step(async () => {
      await this.executor.runFrom(method, url, {});
    });
  }

  /**
   * Presses keys (`0-9`, `*`, `#`): at a Gather they are collected up to `numDigits` or
   * `finishOnKey`; at a Record a `finishOnKey` key ends the recording.
   */
  press(keys: string): Promise<void> {
    if (typeof keys !== "string" || !/^[0-9*#]+$/.test(keys)) {
      return Promise.reject(new TypeError(`press: keys must be digits, * or #, got ${JSON.stringify(keys)}`));
    }
    return this.callerStep({ kind: "keys", keys });
  }

  /** Says something: at a Gather with `input` including speech it becomes `SpeechResult`. */
  say(text: string): Promise<void> {
    if (typeof text !== "string" || text.trim() === "") {
      return Promise.reject(new TypeError(`say: text must be a non-empty string, got ${JSON.stringify(text)}`));
    }
    return this.callerStep({ kind: "speech", text: text.trim() });
  }

  /** Does nothing until the Gather (or Record) times out. */
  silence(): Promise<void> {
    return this.callerStep({ kind: "silence" });
  }

  /** Hangs up. Sends the Record/Enqueue action Twilio sends on hangup, then the status callback if configured. */
  hangUp(): Promise<void> {
    return this.step(async () => {
      if (this.hasEnded) return;
      this.record({ type: "hangup", by: "caller" });
      await this.executor.callerHungUp();
      await this.endCall();
    }, false);
  }

  private callerStep(input: CallerInput): Promise<void> {
    return this.step(async () => {
      const { waiting } = this.executor;
      const entry = inputEntry(input, waiting !== undefined && "sensitive" in waiting && waiting.sensitive);
      this.record(entry);
      if (waiting === undefined || waiting.kind === "forever") return;
      this.lastInput = entry;
      try {
        await this.executor.answer(input);
      } finally {
        this.hideLastInputIfSensitive();
      }
    });
  }

  /** Hides the caller's last input when the request it went to entered a sensitive state first. */
  private hideLastInputIfSensitive(): void {
    const entry = this.lastInput;
    if (entry === undefined || entry.sensitive === true || entry.silence === true) return;
    const request = this.entries.slice(this.entries.indexOf(entry) + 1).find((e) => e.type === "request");
    if (request !== undefined && this.webhooks.traces.get(request)?.[0]?.sensitive === true) entry.sensitive = true;
  }

  /** Runs one step at a time; a failed step ends the call, as Twilio's "application error" would. */
  private step(work: () => Promise<void>, needsLiveCall = true): Promise<void> {
    return this.steps.run(async () => {
      if (this.hasFailed) throw new CallStepError("The call failed in an earlier step.", this.entries);
      if (needsLiveCall && this.hasEnded) throw new CallStepError("The call has ended: the caller can no longer act.", this.entries);
      this.webhooks.newStep();
      try {
        await work();
      } catch (err) {
        this.hasFailed = true;
        this.hasEnded = true;
        this.executor.stop();
        throw err;
      } finally {
        if (this.settings.recordCoverage) recordCoverage(this);
      }
    });
  }

  /** Ends the call and sends the final status callback when one is configured. */
  private async endCall(status: FinalCallStatus = "completed"): Promise<void> {
    if (this.hasEnded) return;
    this.hasEnded = true;
    await this.webhooks.sendStatusCallback(status);
  }
}
