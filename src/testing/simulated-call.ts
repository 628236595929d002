import { makeSid, voiceParams, type CallIdentity } from "./call-params";
import { formatTranscript, type TranscriptEntry } from "./transcript";
import type { Transport, WebhookResponse } from "./transport";
import { parseTwiml } from "./twiml-document";
import { TwimlError, type TwimlNode } from "./twiml-node";

type Method = "GET" | "POST";

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
}

/** The caller's side is waiting; this says for what. */
type Waiting =
  | { kind: "gather"; node: TwimlNode; documentUrl: string; rest: readonly TwimlNode[] }
  | { kind: "record"; node: TwimlNode; documentUrl: string; rest: readonly TwimlNode[] }
  | { kind: "hold"; node: TwimlNode; documentUrl: string; rest: readonly TwimlNode[]; queueSid: string; since: number }
  /** A `<Play loop="0">` (or Say) that never ends: only hanging up changes anything. */
  | { kind: "forever" };

/** What the caller did, as the executor sees it. */
type CallerInput = { kind: "keys"; keys: string } | { kind: "speech"; text: string } | { kind: "silence" };

/** Why a step of the call failed: a TwiML error, an HTTP error, or a loop without caller input. */
export class CallStepError extends Error {
  /** Twilio's error code when there is one (11200 HTTP retrieval failure, 12100, 12200, 12300). */
  readonly code: number | undefined;
  /** The offending TwiML element's path, for TwiML errors. */
  readonly element: string | undefined;

  constructor(message: string, transcript: readonly TranscriptEntry[], code?: number, element?: string) {
    const tail = transcript.slice(-12);
    super(`${message}\n\nCall so far${tail.length < transcript.length ? " (last 12 entries)" : ""}:\n${formatTranscript(tail)}`);
    this.name = "CallStepError";
    this.code = code;
    this.element = element;
  }
}

const XML_TYPES = /^(text\/xml|application\/xml|text\/html|application\/xhtml\+xml)\b/i;

/** A one-verb document, for answers Twilio treats as a verb (plain text is said, audio is played). */
function singleVerbDocument(name: "Say" | "Play", text: string): TwimlNode {
  return { name: "Response", attributes: {}, text, path: "Response", children: [{ name, attributes: {}, children: [], text, path: `Response/${name}[0]` }] };
}

function methodOf(value: string | undefined, fallback: Method = "POST"): Method {
  return value?.toUpperCase() === "GET" ? "GET" : value?.toUpperCase() === "POST" ? "POST" : fallback;
}

function intAttribute(node: TwimlNode, name: string, fallback: number): number {
  const raw = node.attributes[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  return Number.isFinite(value) ? value : fallback;
}

function boolAttribute(node: TwimlNode, name: string, fallback: boolean): boolean {
  const raw = node.attributes[name]?.toLowerCase();
  return raw === "true" ? true : raw === "false" ? false : fallback;
}

/**
 * A phone call driven the way Twilio drives one: it sends the webhooks, executes the TwiML
 * that comes back, and waits for the caller at every `<Gather>`, `<Record>` or hold.
 */
export class SimulatedCall {
  private readonly entries: TranscriptEntry[] = [];
  private waiting: Waiting | undefined;
  private lastTwiml: string | undefined;
  private requestsThisStep: string[] = [];
  private hasEnded = false;
  private failed = false;
  private readonly startedAt = Date.now();
  private firstRequest = true;
  /** Serialises steps: a caller action waits for the previous one to finish. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly transport: Transport,
    private readonly settings: CallSettings,
  ) {}

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

  /** The last TwiML document the app returned, as text. */
  get twiml(): string | undefined {
    return this.lastTwiml;
  }

  /** What the call waits for: `gather`, `record`, `hold`, `forever` (an endless Play), or `ended`. */
  get waitingFor(): Waiting["kind"] | "ended" {
    return this.hasEnded || this.waiting === undefined ? "ended" : this.waiting.kind;
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
        await this.send(...this.actionOf(waiting.node, waiting.documentUrl), { ...this.recordingParams(), Digits: "hangup" }, "completed");
      } else if (waiting?.kind === "hold" && waiting.node.attributes.action !== undefined) {
        await this.send(...this.actionOf(waiting.node, waiting.documentUrl), this.queueResultParams(waiting, "hangup"), "completed");
      }
      await this.endCall();
    }, false);
  }

  private callerStep(input: CallerInput): Promise<void> {
    return this.step(async () => {
      this.record(
        input.kind === "keys" ? { type: "input", digits: input.keys } : input.kind === "speech" ? { type: "input", speech: input.text } : { type: "input", silence: true },
      );
      const waiting = this.waiting;
      if (waiting === undefined || waiting.kind === "forever") return;
      this.waiting = undefined;
      switch (waiting.kind) {
        case "gather":
          await this.continueGather(waiting, input);
          return;
        case "record":
          await this.continueRecord(waiting, input);
          return;
        case "hold":
          await this.holdPass(waiting);
          return;
      }
    });
  }

  /** Runs one step at a time; a failed step ends the call, as Twilio's "application error" would. */
  private step(work: () => Promise<void>, needsLiveCall = true): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.failed) throw new CallStepError("The call failed in an earlier step.", this.entries);
      if (needsLiveCall && this.hasEnded) throw new CallStepError("The call has ended: the caller can no longer act.", this.entries);
      this.requestsThisStep = [];
      try {
        await work();
      } catch (err) {
        this.failed = true;
        this.hasEnded = true;
        this.waiting = undefined;
        throw err;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private record(entry: TranscriptEntry): void {
    this.entries.push(entry);
    this.settings.onEntry?.(entry);
  }

  private fail(message: string, code?: number, element?: string): never {
    throw new CallStepError(message, this.entries, code, element);
  }

  /** Sends one webhook with the call's parameters plus `extra`; checks the status. */
  private async send(
    method: Method,
    url: string,
    extra: Record<string, string>,
    callStatus?: "completed",
  ): Promise<WebhookResponse> {
    this.requestsThisStep.push(`${method} ${url}`);
    if (this.requestsThisStep.length > this.settings.maxRequestsPerStep) {
      this.fail(
        `No caller input was needed for ${this.settings.maxRequestsPerStep} requests in a row: the TwiML loops without waiting for the caller.\n` +
          `Requests: ${this.requestsThisStep.slice(-8).join(" -> ")}`,
      );
    }
    const status = callStatus ?? (this.hasEnded ? "completed" : this.firstRequest ? "ringing" : "in-progress");
    this.firstRequest = false;
    const params = { ...voiceParams(this.settings.identity, status), ...this.settings.params, ...extra };
    let response: WebhookResponse;
    try {
      response = await this.transport.send({ method, url, params });
    } catch (err) {
      // Unreachable server, timeout, oversized body: Twilio logs all of these as an HTTP retrieval failure.
      // The transport's message already names the request.
      return this.fail(`Twilio error 11200: ${err instanceof Error ? err.message : String(err)}`, 11200);
    }
    this.record({ type: "request", method, url, status: response.status });
    return response;
  }

  /** Fetches a TwiML document: a 200 with well-formed, schema-valid TwiML, or the step fails. */
  private async fetchTwiml(method: Method, url: string, extra: Record<string, string>): Promise<TwimlNode> {
    const response = await this.send(method, url, extra);
    if (response.status !== 200) {
      this.fail(`Twilio error 11200: ${method} ${url} answered HTTP ${response.status}, not 200.\nBody: ${response.body.slice(0, 500)}`, 11200);
    }
    const contentType = String(response.headers["content-type"] ?? "");
    // Twilio reads a text/plain answer aloud and plays an audio answer, then hangs up.
    if (/^text\/plain\b/i.test(contentType)) return singleVerbDocument("Say", response.body.trim());
    if (/^audio\//i.test(contentType)) return singleVerbDocument("Play", url);
    if (contentType !== "" && !XML_TYPES.test(contentType)) {
      this.fail(`Twilio error 12300: ${method} ${url} answered Content-Type ${JSON.stringify(contentType)}, not TwiML (text/xml).`, 12300);
    }
    this.lastTwiml = response.body;
    try {
      return parseTwiml(response.body);
    } catch (err) {
      if (err instanceof TwimlError) this.fail(`${err.message}\n(in the TwiML from ${method} ${url})`, err.code, err.element);
      throw err;
    }
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
          if (await this.speak(verb, documentUrl)) return;
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
          this.waiting = { kind: "record", node: verb, documentUrl, rest };
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
          this.record({ type: "hangup", by: "app" });
          await this.endCall();
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
   * Say/Play/Pause. Returns true when it never ends (loop="0" outside a Gather). A Pause is
   * recorded, then waited for when `pauseMs` is set.
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
    if (loop === 0) {
      this.waiting = { kind: "forever" };
      return true;
    }
    return false;
  }

  private gatherInputs(node: TwimlNode): ("dtmf" | "speech")[] {
    const words = (node.attributes.input ?? "dtmf").toLowerCase().split(/\s+/);
    return (["dtmf", "speech"] as const).filter((kind) => words.includes(kind));
  }

  private async startGather(node: TwimlNode, documentUrl: string, rest: readonly TwimlNode[]): Promise<void> {
    const [method, action] = this.actionOf(node, documentUrl);
    this.record({ type: "gather", input: this.gatherInputs(node), timeout: intAttribute(node, "timeout", 5), action, method });
    // Nested prompts play while the Gather listens (a loop="0" prompt simply plays until input).
    for (const child of node.children) {
      if (child.name === "Say" || child.name === "Play" || child.name === "Pause") await this.speak(child, documentUrl);
    }
    this.waiting = { kind: "gather", node, documentUrl, rest };
  }

  private async continueGather(waiting: Extract<Waiting, { kind: "gather" }>, input: CallerInput): Promise<void> {
    const { node, documentUrl, rest } = waiting;
    const inputs = this.gatherInputs(node);
    let params: Record<string, string> | undefined;
    if (input.kind === "keys" && inputs.includes("dtmf")) {
      const finishOnKey = node.attributes.finishOnKey ?? "#";
      const numDigits = intAttribute(node, "numDigits", Number.POSITIVE_INFINITY);
      let digits = "";
      let finishedOnKey = "";
      for (const key of input.keys) {
        if (finishOnKey !== "" && finishOnKey.includes(key)) {
          finishedOnKey = key;
          break;
        }
        digits += key;
        if (digits.length >= numDigits) break;
      }
      // Keys without a finishing key complete on the timeout, with the digits so far.
      if (digits !== "") params = { Digits: digits, FinishedOnKey: finishedOnKey };
    } else if (input.kind === "speech" && inputs.includes("speech")) {
      params = { SpeechResult: input.text, Confidence: String(this.settings.speechConfidence) };
    }
    if (params !== undefined) {
      await this.runFrom(...this.actionOf(node, documentUrl), params);
    } else if (boolAttribute(node, "actionOnEmptyResult", false)) {
      await this.runFrom(...this.actionOf(node, documentUrl), {});
    } else {
      // No input: Twilio carries on with the verb after the Gather.
      await this.execute(rest, documentUrl);
    }
  }

  private recordingParams(): Record<string, string> {
    const recordingSid = makeSid("RE");
    return {
      RecordingSid: recordingSid,
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${this.settings.identity.accountSid}/Recordings/${recordingSid}`,
      RecordingDuration: "5",
    };
  }

  private async continueRecord(waiting: Extract<Waiting, { kind: "record" }>, input: CallerInput): Promise<void> {
    const { node, documentUrl } = waiting;
    const finishOnKey = node.attributes.finishOnKey ?? "1234567890*#";
    let digits = "";
    if (input.kind === "keys") {
      // The first key in finishOnKey ends the recording; other keys are recorded as sound.
      digits = Array.from(input.keys).find((key) => finishOnKey.includes(key)) ?? "";
    }
    // The caller is assumed to have left a message; silence (or a key) ends it and Twilio posts it.
    await this.runFrom(...this.actionOf(node, documentUrl), { ...this.recordingParams(), Digits: digits });
  }

  private queueResultParams(waiting: Extract<Waiting, { kind: "hold" }>, result: string): Record<string, string> {
    return { QueueResult: result, QueueSid: waiting.queueSid, QueueTime: String(Math.round((Date.now() - waiting.since) / 1000)) };
  }

  private async enqueue(node: TwimlNode, documentUrl: string, rest: readonly TwimlNode[]): Promise<void> {
    const waitUrl = node.attributes.waitUrl;
    const resolvedWaitUrl = waitUrl === undefined || waitUrl === "" ? undefined : this.resolve(waitUrl, documentUrl);
    this.record({ type: "enqueue", queue: node.text, ...(resolvedWaitUrl === undefined ? {} : { waitUrl: resolvedWaitUrl }) });
    const waiting: Extract<Waiting, { kind: "hold" }> = { kind: "hold", node, documentUrl, rest, queueSid: makeSid("QU"), since: Date.now() };
    await this.holdPass(waiting);
  }

  /** One pass of the waitUrl's TwiML; the caller then waits on hold (or leaves the queue). */
  private async holdPass(waiting: Extract<Waiting, { kind: "hold" }>): Promise<void> {
    const waitUrl = waiting.node.attributes.waitUrl;
    if (waitUrl === undefined || waitUrl === "") {
      this.waiting = waiting;
      return;
    }
    const method = methodOf(waiting.node.attributes.waitUrlMethod);
    const queueParams = {
      QueueSid: waiting.queueSid,
      QueuePosition: "1",
      QueueTime: String(Math.round((Date.now() - waiting.since) / 1000)),
      AvgQueueTime: "0",
      CurrentQueueSize: "1",
      MaxQueueSize: waiting.node.attributes.maxQueueSize ?? "100",
    };
    let docUrl = this.resolve(waitUrl, waiting.documentUrl);
    let verbs = (await this.fetchTwiml(method, docUrl, queueParams)).children;
    for (let i = 0; i < verbs.length; i++) {
      const verb = verbs[i] as TwimlNode;
      if (verb.name === "Leave") {
        this.record({ type: "leave" });
        if (waiting.node.attributes.action !== undefined) {
          await this.runFrom(...this.actionOf(waiting.node, waiting.documentUrl), this.queueResultParams(waiting, "leave"));
        } else {
          await this.execute(waiting.rest, waiting.documentUrl);
        }
        return;
      }
      if (verb.name === "Hangup") {
        this.record({ type: "hangup", by: "app" });
        await this.endCall();
        return;
      }
      if (verb.name === "Redirect") {
        // A redirect inside hold TwiML moves to another hold document, still with the queue's parameters.
        const redirectMethod = methodOf(verb.attributes.method);
        docUrl = this.resolve(verb.text, docUrl);
        this.record({ type: "redirect", url: docUrl, method: redirectMethod });
        verbs = (await this.fetchTwiml(redirectMethod, docUrl, queueParams)).children;
        i = -1;
        continue;
      }
      if (verb.name === "Say" || verb.name === "Play" || verb.name === "Pause") await this.speak(verb, docUrl);
      else this.record({ type: "other", verb: verb.name, attributes: verb.attributes, text: verb.text });
    }
    // Twilio would fetch the waitUrl again when its TwiML runs out; the simulator stops after one pass.
    this.waiting = waiting;
  }

  /** Ends the call and sends the final status callback when one is configured. */
  private async endCall(status: "completed" | "busy" | "no-answer" = "completed"): Promise<void> {
    this.waiting = undefined;
    if (this.hasEnded) return;
    this.hasEnded = true;
    const callback = this.settings.statusCallback;
    if (callback === undefined) return;
    const duration = status === "completed" ? String(Math.max(1, Math.round((Date.now() - this.startedAt) / 1000))) : "0";
    await this.send(callback.method, callback.url, { CallStatus: status, CallDuration: duration, Timestamp: new Date().toUTCString() });
  }
}
