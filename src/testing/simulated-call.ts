import { makeSid } from "./call-params";
import { CallStepError, type FailStep } from "./call-step-error";
import type { CallSettings } from "./call-settings";
import { CallWebhooks, type FinalCallStatus } from "./call-webhooks";
import { recordCoverage } from "./flow/coverage";
import { gatherInputs, gatherResult, inputEntry, recordFinishKey, recordingParams, type CallerInput } from "./caller-input";
import { playHoldPass, queueResultParams, type Hold, type HoldHost } from "./queue-hold";
import { SerialSteps } from "./serial-steps";
import { formatTranscript, type TranscriptEntry } from "./transcript";
import type { Transport } from "./transport";
import { parseTwimlAnswer, twimlAnswer } from "./twiml-answer";
import type { TwimlNode } from "./twiml-node";
import { boolAttribute, intAttribute, methodOf, type Method } from "./verb-attributes";
import type { TracedStep } from "../types";

export { CallStepError } from "./call-step-error";
export type { CallSettings } from "./call-settings";

/** The `<Gather>` a call waits at (see {@link SimulatedCall.gather}). */
export interface GatherInfo {
  /** What it listens for: `dtmf`, `speech`, or both. */
  input: readonly ("dtmf" | "speech")[];
  /** Keys it collects before it answers; absent when unlimited (the caller ends with `finishOnKey` or waits). */
  numDigits?: number;
  /** The key that ends an entry (Twilio's default `#`; "" for none). */
  finishOnKey: string;
  /** Its speech `hints`, split on commas. */
  hints: readonly string[];
}

/** The caller's side is waiting; this says for what. */
type Waiting =
  /** `sensitive`: a sensitive state rendered the document, so the caller's answer is hidden in readable transcripts. */
  | { kind: "gather"; node: TwimlNode; documentUrl: string; rest: readonly TwimlNode[]; sensitive: boolean }
  | { kind: "record"; node: TwimlNode; documentUrl: string; rest: readonly TwimlNode[]; sensitive: boolean }
  | ({ kind: "hold" } & Hold)
  /** A `<Play loop="0">` (or Say) that never ends: only hanging up changes anything. */
  | { kind: "forever" };

/**
 * A phone call driven the way Twilio drives one: it sends the webhooks, executes the TwiML
 * that comes back, and waits for the caller at every `<Gather>`, `<Record>` or hold.
 */
export class SimulatedCall {
  private readonly entries: TranscriptEntry[] = [];
  private waiting: Waiting | undefined;
  private lastTwiml: string | undefined;
  /** True when the last document fetched was rendered by a sensitive state (as its trace says). */
  private documentSensitive = false;
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
  /** What hold TwiML runs on: this call's requests, transcript and prompts. */
  private readonly holdHost: HoldHost = {
    fetchTwiml: (method, url, params) => this.fetchTwiml(method, url, params),
    resolve: (relative, base) => this.resolve(relative, base),
    record: this.record,
    speak: (verb, documentUrl) => this.speak(verb, documentUrl),
  };

  constructor(
    private readonly transport: Transport,
    private readonly settings: CallSettings,
  ) {
    this.webhooks = new CallWebhooks(transport, settings, this.record, this.fail);
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
    return this.lastTwiml;
  }

  /** What the call waits for: `gather`, `record`, `hold`, `forever` (an endless Play), or `ended`. */
  get waitingFor(): Waiting["kind"] | "ended" {
    return this.hasEnded || this.waiting === undefined ? "ended" : this.waiting.kind;
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
    if (this.hasEnded || this.waiting?.kind !== "gather") return undefined;
    const { node } = this.waiting;
    const numDigits = intAttribute(node, "numDigits", 0);
    const hints = node.attributes.hints;
    return {
      input: gatherInputs(node),
      ...(numDigits > 0 ? { numDigits } : {}),
      finishOnKey: node.attributes.finishOnKey ?? "#",
      hints: hints === undefined ? [] : hints.split(",").map((h) => h.trim()).filter((h) => h !== ""),
    };
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
      twin.waiting = this.waiting;
      twin.lastTwiml = this.lastTwiml;
      twin.hasEnded = this.hasEnded;
      twin.hasFailed = this.hasFailed;
      twin.documentSensitive = this.documentSensitive;
      twin.lastInput = this.lastInput;
      twin.webhooks.adopt(this.webhooks);
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
      await this.runFrom(method, url, {});
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
      const waiting = this.waiting;
      this.record({ type: "hangup", by: "caller" });
      this.waiting = undefined;
      // Twilio reports a hangup during a recording or in a queue to the verb's action; the answer is ignored.
      if (waiting?.kind === "record") {
        await this.webhooks.send(...this.actionOf(waiting.node, waiting.documentUrl), this.recordingParams("hangup"), "completed");
      } else if (waiting?.kind === "hold" && waiting.node.attributes.action !== undefined) {
        await this.webhooks.send(...this.actionOf(waiting.node, waiting.documentUrl), queueResultParams(waiting, "hangup"), "completed");
      }
      await this.endCall();
    }, false);
  }

  private callerStep(input: CallerInput): Promise<void> {
    return this.step(async () => {
      const waiting = this.waiting;
      const entry = inputEntry(input, waiting !== undefined && "sensitive" in waiting && waiting.sensitive);
      this.record(entry);
      if (waiting === undefined || waiting.kind === "forever") return;
      this.waiting = undefined;
      this.lastInput = entry;
      try {
        await this.answer(waiting, input);
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

  private async answer(waiting: Exclude<Waiting, { kind: "forever" }>, input: CallerInput): Promise<void> {
    switch (waiting.kind) {
      case "gather":
        await this.continueGather(waiting, input);
        return;
      case "record":
        // The caller is assumed to have left a message; silence (or a key) ends it and Twilio posts it.
        await this.runFrom(...this.actionOf(waiting.node, waiting.documentUrl), this.recordingParams(recordFinishKey(waiting.node, input)));
        return;
      case "hold":
        await this.holdPass(waiting);
        return;
    }
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
        this.waiting = undefined;
        throw err;
      } finally {
        if (this.settings.recordCoverage) recordCoverage(this);
      }
    });
  }

  /** Fetches a TwiML document: a 200 with well-formed, schema-valid TwiML, or the step fails. */
  private async fetchTwiml(method: Method, url: string, extra: Record<string, string>): Promise<TwimlNode> {
    const request = { method, url };
    const response = await this.webhooks.send(method, url, extra);
    this.documentSensitive = this.webhooks.lastTrace?.some((step) => step.fn === "twimlFor" && step.sensitive === true) ?? false;
    const answer = twimlAnswer(response, request, this.fail);
    if (answer.kind === "document") return answer.document;
    // Kept before parsing, so `twiml` shows a document that then fails to parse.
    this.lastTwiml = answer.xml;
    return parseTwimlAnswer(answer.xml, request, this.fail);
  }

  private resolve(relative: string, base: string): string {
    try {
      return new URL(relative, base).toString();
    } catch {
      return this.fail(`Twilio error 11200: cannot resolve URL ${JSON.stringify(relative)} against ${base}`, 11200);
    }
  }

  /** A verb's `action`/`method`, defaulting to the current document's URL and POST, as Twilio does. */
  private actionOf(node: TwimlNode, documentUrl: string): [Method, string] {
    const action = node.attributes.action;
    return [methodOf(node.attributes.method), action === undefined || action === "" ? documentUrl : this.resolve(action, documentUrl)];
  }

  private recordingParams(digits: string): Record<string, string> {
    return recordingParams(this.settings.identity.accountSid, digits);
  }

  /** Requests a document and executes it until the caller is needed or the call ends. */
  private async runFrom(method: Method, url: string, extra: Record<string, string>): Promise<void> {
    const root = await this.fetchTwiml(method, url, extra);
    await this.execute(root.children, url);
  }

  /** Executes verbs in order; returns when waiting for the caller or the call ended. */
  private async execute(verbs: readonly TwimlNode[], documentUrl: string): Promise<void> {
    for (let i = 0; i < verbs.length; i++) {
      const verb = verbs[i] as TwimlNode;
      const rest = verbs.slice(i + 1);
      switch (verb.name) {
        case "Say":
        case "Play":
        case "Pause":
          if (await this.speak(verb, documentUrl)) {
            this.waiting = { kind: "forever" };
            return;
          }
          break;
        case "Gather":
          await this.startGather(verb, documentUrl, rest);
          return;
        case "Redirect": {
          const method = methodOf(verb.attributes.method);
          const target = this.resolve(verb.text, documentUrl);
          this.record({ type: "redirect", url: target, method });
          await this.runFrom(method, target, {});
          return;
        }
        case "Record": {
          const [method, action] = this.actionOf(verb, documentUrl);
          this.record({ type: "record", action, method, maxLength: intAttribute(verb, "maxLength", 3600), playBeep: boolAttribute(verb, "playBeep", true) });
          this.waiting = { kind: "record", node: verb, documentUrl, rest, sensitive: this.documentSensitive };
          return;
        }
        case "Enqueue":
          await this.enqueue(verb, documentUrl, rest);
          return;
        case "Dial": {
          const to = verb.children.length > 0 ? verb.children.map((c) => `${c.name} ${c.text}`.trim()).join(", ") : verb.text;
          const action = verb.attributes.action;
          this.record({ type: "dial", to, ...(action === undefined ? {} : { action: this.resolve(action, documentUrl) }) });
          if (action !== undefined) {
            // The dialled party is not simulated: the leg "happens" and Twilio reports its outcome.
            const dialParams = { DialCallStatus: this.settings.dialCallStatus, DialCallSid: makeSid("CA"), DialCallDuration: "0" };
            await this.runFrom(...this.actionOf(verb, documentUrl), dialParams);
            return;
          }
          break; // without an action, Twilio continues with the next verb
        }
        case "Hangup":
          await this.appHangsUp();
          return;
        case "Reject":
          this.record({ type: "reject", reason: verb.attributes.reason ?? "rejected" });
          // A rejected call is never answered: Twilio reports it as busy or no-answer.
          await this.endCall(verb.attributes.reason === "busy" ? "busy" : "no-answer");
          return;
        case "Leave":
          this.record({ type: "leave" });
          break;
        default:
          this.record({ type: "other", verb: verb.name, attributes: verb.attributes, text: verb.text });
      }
    }
    this.record({ type: "end" });
    await this.endCall();
  }

  /**
   * Say/Play/Pause. Returns true when it never ends (loop="0"); the caller decides whether that
   * holds the call (outside a Gather) or not. A Pause is recorded, then waited for when `pauseMs` is set.
   */
  private async speak(verb: TwimlNode, documentUrl: string): Promise<boolean> {
    if (verb.name === "Pause") {
      const seconds = intAttribute(verb, "length", 1);
      this.record({ type: "pause", seconds });
      const ms = seconds * this.settings.pauseMs;
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
      return false;
    }
    const loop = intAttribute(verb, "loop", 1);
    if (verb.name === "Say") {
      const { voice, language } = verb.attributes;
      this.record({ type: "say", text: verb.text, loop, ...(voice === undefined ? {} : { voice }), ...(language === undefined ? {} : { language }) });
    } else if (verb.attributes.digits !== undefined && verb.text === "") {
      this.record({ type: "play-digits", digits: verb.attributes.digits });
      return false;
    } else {
      this.record({ type: "play", url: this.resolve(verb.text, documentUrl), loop });
    }
    return loop === 0;
  }

  private async startGather(node: TwimlNode, documentUrl: string, rest: readonly TwimlNode[]): Promise<void> {
    const [method, action] = this.actionOf(node, documentUrl);
    this.record({ type: "gather", input: gatherInputs(node), timeout: intAttribute(node, "timeout", 5), action, method });
    // Nested prompts play while the Gather listens (a loop="0" prompt simply plays until input).
    for (const child of node.children) {
      if (child.name === "Say" || child.name === "Play" || child.name === "Pause") await this.speak(child, documentUrl);
    }
    this.waiting = { kind: "gather", node, documentUrl, rest, sensitive: this.documentSensitive };
  }

  private async continueGather({ node, documentUrl, rest }: Extract<Waiting, { kind: "gather" }>, input: CallerInput): Promise<void> {
    const params = gatherResult(node, input, this.settings.speechConfidence);
    if (params !== undefined) {
      await this.runFrom(...this.actionOf(node, documentUrl), params);
    } else {
      // No input: Twilio carries on with the verb after the Gather.
      await this.execute(rest, documentUrl);
    }
  }

  private async enqueue(node: TwimlNode, documentUrl: string, rest: readonly TwimlNode[]): Promise<void> {
    const waitUrl = node.attributes.waitUrl;
    const resolvedWaitUrl = waitUrl === undefined || waitUrl === "" ? undefined : this.resolve(waitUrl, documentUrl);
    this.record({ type: "enqueue", queue: node.text, ...(resolvedWaitUrl === undefined ? {} : { waitUrl: resolvedWaitUrl }) });
    await this.holdPass({ kind: "hold", node, documentUrl, rest, queueSid: makeSid("QU"), since: Date.now() });
  }

  /** One pass of the waitUrl's TwiML; the caller then waits on hold (or leaves the queue). */
  private async holdPass(hold: Extract<Waiting, { kind: "hold" }>): Promise<void> {
    switch (await playHoldPass(hold, this.holdHost)) {
      case "leave":
        this.record({ type: "leave" });
        if (hold.node.attributes.action !== undefined) {
          await this.runFrom(...this.actionOf(hold.node, hold.documentUrl), queueResultParams(hold, "leave"));
        } else {
          await this.execute(hold.rest, hold.documentUrl);
        }
        return;
      case "hangup":
        await this.appHangsUp();
        return;
      case "on-hold":
        this.waiting = hold;
        return;
    }
  }

  private async appHangsUp(): Promise<void> {
    this.record({ type: "hangup", by: "app" });
    await this.endCall();
  }

  /** Ends the call and sends the final status callback when one is configured. */
  private async endCall(status: FinalCallStatus = "completed"): Promise<void> {
    this.waiting = undefined;
    if (this.hasEnded) return;
    this.hasEnded = true;
    await this.webhooks.sendStatusCallback(status);
  }
}
