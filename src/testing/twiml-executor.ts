// Runs TwiML for one simulated call the way Twilio does: fetches each document, executes its
// verbs in order, and stops where the caller is needed (a Gather, a Record, a hold) or the call
// ends. The call (SimulatedCall) owns the transcript, the steps and the caller's actions.
import { makeSid } from "./call-params";
import type { FailStep } from "./call-step-error";
import type { CallSettings } from "./call-settings";
import type { CallWebhooks, FinalCallStatus } from "./call-webhooks";
import { gatherInputs, gatherResult, recordFinishKey, recordingParams, type CallerInput } from "./caller-input";
import { playHoldPass, queueResultParams, type Hold, type HoldHost } from "./queue-hold";
import type { TranscriptEntry } from "./transcript";
import { parseTwimlAnswer, twimlAnswer } from "./twiml-answer";
import type { TwimlNode } from "./twiml-node";
import { boolAttribute, intAttribute, methodOf, type Method } from "./verb-attributes";

/** The caller's side is waiting; this says for what. */
export type Waiting =
  /** `sensitive`: a sensitive state rendered the document, so the caller's answer is hidden in readable transcripts. */
  | { kind: "gather"; node: TwimlNode; documentUrl: string; rest: readonly TwimlNode[]; sensitive: boolean }
  | { kind: "record"; node: TwimlNode; documentUrl: string; rest: readonly TwimlNode[]; sensitive: boolean }
  | ({ kind: "hold" } & Hold)
  /** A `<Play loop="0">` (or Say) that never ends: only hanging up changes anything. */
  | { kind: "forever" };

/** What the executor needs of the call it runs. */
interface ExecutorHost {
  readonly settings: CallSettings;
  readonly webhooks: CallWebhooks;
  /** Adds to the call's transcript. */
  readonly record: (entry: TranscriptEntry) => void;
  /** Fails the current step. */
  readonly fail: FailStep;
  /** Ends the call (its final status callback is sent once). */
  endCall(status?: FinalCallStatus): Promise<void>;
}

/** Runs one call's TwiML (see the top of this file); its SimulatedCall drives it step by step. */
export class TwimlExecutor {
  private current: Waiting | undefined;
  private lastDocument: string | undefined;
  /** True when the last document fetched was rendered by a sensitive state (as its trace says). */
  private documentSensitive = false;
  /** What hold TwiML runs on: this call's requests, transcript and prompts. */
  private readonly holdHost: HoldHost = {
    fetchTwiml: (method, url, params) => this.fetchTwiml(method, url, params),
    resolve: (relative, base) => this.resolve(relative, base),
    record: (entry) => {
      this.host.record(entry);
    },
    speak: (verb, documentUrl) => this.speak(verb, documentUrl),
  };

  constructor(private readonly host: ExecutorHost) {}

  /** What the caller's side waits for; undefined before the call starts, after it ended or failed. */
  get waiting(): Waiting | undefined {
    return this.current;
  }

  /** The last TwiML document the app returned, as text. */
  get lastTwiml(): string | undefined {
    return this.lastDocument;
  }

  /** Takes over where another call's executor is (a forked call). */
  adopt(other: TwimlExecutor): void {
    this.current = other.current;
    this.lastDocument = other.lastDocument;
    this.documentSensitive = other.documentSensitive;
  }

  /** Forgets what the call waited for: a failed step ends the call. */
  stop(): void {
    this.current = undefined;
  }

  /** Carries on after the caller acted (keys, speech or silence) where the call waits; an endless Play ignores it. */
  async answer(input: CallerInput): Promise<void> {
    const waiting = this.current;
    if (waiting === undefined || waiting.kind === "forever") return;
    this.current = undefined;
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

  /** The caller hung up: Twilio reports it to the action of a Record or Enqueue the call waited at (its answer is ignored). */
  async callerHungUp(): Promise<void> {
    const waiting = this.current;
    this.current = undefined;
    if (waiting?.kind === "record") {
      await this.host.webhooks.send(...this.actionOf(waiting.node, waiting.documentUrl), this.recordingParams("hangup"), "completed");
    } else if (waiting?.kind === "hold" && waiting.node.attributes.action !== undefined) {
      await this.host.webhooks.send(...this.actionOf(waiting.node, waiting.documentUrl), queueResultParams(waiting, "hangup"), "completed");
    }
  }

  /** Fetches a TwiML document: a 200 with well-formed, schema-valid TwiML, or the step fails. */
  private async fetchTwiml(method: Method, url: string, extra: Record<string, string>): Promise<TwimlNode> {
    const request = { method, url };
    const response = await this.host.webhooks.send(method, url, extra);
    this.documentSensitive = this.host.webhooks.lastTrace?.some((step) => step.fn === "twimlFor" && step.sensitive === true) ?? false;
    const answer = twimlAnswer(response, request, this.host.fail);
    if (answer.kind === "document") return answer.document;
    // Kept before parsing, so `twiml` shows a document that then fails to parse.
    this.lastDocument = answer.xml;
    return parseTwimlAnswer(answer.xml, request, this.host.fail);
  }

  private resolve(relative: string, base: string): string {
    try {
      return new URL(relative, base).toString();
    } catch {
      return this.host.fail(`Twilio error 11200: cannot resolve URL ${JSON.stringify(relative)} against ${base}`, 11200);
    }
  }

  /** A verb's `action`/`method`, defaulting to the current document's URL and POST, as Twilio does. */
  private actionOf(node: TwimlNode, documentUrl: string): [Method, string] {
    const action = node.attributes.action;
    return [methodOf(node.attributes.method), action === undefined || action === "" ? documentUrl : this.resolve(action, documentUrl)];
  }

  private recordingParams(digits: string): Record<string, string> {
    return recordingParams(this.host.settings.identity.accountSid, digits);
  }

  /** Requests a document and executes it until the caller is needed or the call ends. */
  async runFrom(method: Method, url: string, extra: Record<string, string>): Promise<void> {
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
            this.current = { kind: "forever" };
            return;
          }
          break;
        case "Gather":
          await this.startGather(verb, documentUrl, rest);
          return;
        case "Redirect": {
          const method = methodOf(verb.attributes.method);
          const target = this.resolve(verb.text, documentUrl);
          this.host.record({ type: "redirect", url: target, method });
          await this.runFrom(method, target, {});
          return;
        }
        case "Record": {
          const [method, action] = this.actionOf(verb, documentUrl);
          this.host.record({ type: "record", action, method, maxLength: intAttribute(verb, "maxLength", 3600), playBeep: boolAttribute(verb, "playBeep", true) });
          this.current = { kind: "record", node: verb, documentUrl, rest, sensitive: this.documentSensitive };
          return;
        }
        case "Enqueue":
          await this.enqueue(verb, documentUrl, rest);
          return;
        case "Dial": {
          const to = verb.children.length > 0 ? verb.children.map((c) => `${c.name} ${c.text}`.trim()).join(", ") : verb.text;
          const action = verb.attributes.action;
          this.host.record({ type: "dial", to, ...(action === undefined ? {} : { action: this.resolve(action, documentUrl) }) });
          if (action !== undefined) {
            // The dialled party is not simulated: the leg "happens" and Twilio reports its outcome.
            const dialParams = { DialCallStatus: this.host.settings.dialCallStatus, DialCallSid: makeSid("CA"), DialCallDuration: "0" };
            await this.runFrom(...this.actionOf(verb, documentUrl), dialParams);
            return;
          }
          break; // without an action, Twilio continues with the next verb
        }
        case "Hangup":
          await this.appHangsUp();
          return;
        case "Reject":
          this.host.record({ type: "reject", reason: verb.attributes.reason ?? "rejected" });
          // A rejected call is never answered: Twilio reports it as busy or no-answer.
          await this.host.endCall(verb.attributes.reason === "busy" ? "busy" : "no-answer");
          return;
        case "Leave":
          this.host.record({ type: "leave" });
          break;
        default:
          this.host.record({ type: "other", verb: verb.name, attributes: verb.attributes, text: verb.text });
      }
    }
    this.host.record({ type: "end" });
    await this.host.endCall();
  }

  /**
   * Say/Play/Pause. Returns true when it never ends (loop="0"); the caller decides whether that
   * holds the call (outside a Gather) or not. A Pause is recorded, then waited for when `pauseMs` is set.
   */
  private async speak(verb: TwimlNode, documentUrl: string): Promise<boolean> {
    if (verb.name === "Pause") {
      const seconds = intAttribute(verb, "length", 1);
      this.host.record({ type: "pause", seconds });
      const ms = seconds * this.host.settings.pauseMs;
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
      return false;
    }
    const loop = intAttribute(verb, "loop", 1);
    if (verb.name === "Say") {
      const { voice, language } = verb.attributes;
      this.host.record({ type: "say", text: verb.text, loop, ...(voice === undefined ? {} : { voice }), ...(language === undefined ? {} : { language }) });
    } else if (verb.attributes.digits !== undefined && verb.text === "") {
      this.host.record({ type: "play-digits", digits: verb.attributes.digits });
      return false;
    } else {
      this.host.record({ type: "play", url: this.resolve(verb.text, documentUrl), loop });
    }
    return loop === 0;
  }

  private async startGather(node: TwimlNode, documentUrl: string, rest: readonly TwimlNode[]): Promise<void> {
    const [method, action] = this.actionOf(node, documentUrl);
    this.host.record({ type: "gather", input: gatherInputs(node), timeout: intAttribute(node, "timeout", 5), action, method });
    // Nested prompts play while the Gather listens (a loop="0" prompt simply plays until input).
    for (const child of node.children) {
      if (child.name === "Say" || child.name === "Play" || child.name === "Pause") await this.speak(child, documentUrl);
    }
    this.current = { kind: "gather", node, documentUrl, rest, sensitive: this.documentSensitive };
  }

  private async continueGather({ node, documentUrl, rest }: Extract<Waiting, { kind: "gather" }>, input: CallerInput): Promise<void> {
    const params = gatherResult(node, input, this.host.settings.speechConfidence);
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
    this.host.record({ type: "enqueue", queue: node.text, ...(resolvedWaitUrl === undefined ? {} : { waitUrl: resolvedWaitUrl }) });
    await this.holdPass({ kind: "hold", node, documentUrl, rest, queueSid: makeSid("QU"), since: Date.now() });
  }

  /** One pass of the waitUrl's TwiML; the caller then waits on hold (or leaves the queue). */
  private async holdPass(hold: Extract<Waiting, { kind: "hold" }>): Promise<void> {
    switch (await playHoldPass(hold, this.holdHost)) {
      case "leave":
        this.host.record({ type: "leave" });
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
        this.current = hold;
        return;
    }
  }

  private async appHangsUp(): Promise<void> {
    this.host.record({ type: "hangup", by: "app" });
    await this.host.endCall();
  }
}
