import type { TranscriptEntry } from "./transcript";
import type { TwimlNode } from "./twiml-node";
import { methodOf, type Method } from "./verb-attributes";

// A caller in a queue (<Enqueue>): the hold TwiML of its waitUrl, <Leave>, and the queue
// parameters Twilio sends.

/** A caller waiting on hold in the queue of an `<Enqueue>`. */
export interface Hold {
  /** The `<Enqueue>`. */
  node: TwimlNode;
  /** URL of the document the Enqueue is in. */
  documentUrl: string;
  /** The verbs after the Enqueue, run when the caller leaves a queue that has no action. */
  rest: readonly TwimlNode[];
  queueSid: string;
  /** When the caller joined the queue (`Date.now()`). */
  since: number;
}

/** What the call does for one pass of hold TwiML. */
export interface HoldHost {
  /** Requests a TwiML document (checked) with the given extra parameters. */
  fetchTwiml(method: Method, url: string, params: Record<string, string>): Promise<TwimlNode>;
  /** Resolves a URL against the document it is in. */
  resolve(relative: string, base: string): string;
  record(entry: TranscriptEntry): void;
  /** Plays a `<Say>`, `<Play>` or `<Pause>`. */
  speak(verb: TwimlNode, documentUrl: string): Promise<unknown>;
}

/** How a pass of hold TwiML ended: the caller still on hold, or the TwiML's `<Leave>` or `<Hangup>`. */
export type HoldOutcome = "on-hold" | "leave" | "hangup";

function queueTime(hold: Hold, now: number): string {
  return String(Math.round((now - hold.since) / 1000));
}

/** The parameters Twilio sends with each request for hold TwiML (the simulated caller is alone in the queue). */
export function waitUrlParams(hold: Hold, now = Date.now()): Record<string, string> {
  return {
    QueueSid: hold.queueSid,
    QueuePosition: "1",
    QueueTime: queueTime(hold, now),
    AvgQueueTime: "0",
    CurrentQueueSize: "1",
    MaxQueueSize: hold.node.attributes.maxQueueSize ?? "100",
  };
}

/** The parameters Twilio sends to the Enqueue's action when the caller leaves the queue or hangs up. */
export function queueResultParams(hold: Hold, result: "leave" | "hangup", now = Date.now()): Record<string, string> {
  return { QueueResult: result, QueueSid: hold.queueSid, QueueTime: queueTime(hold, now) };
}

/**
 * One pass of the waitUrl's TwiML: its prompts are played, a `<Redirect>` moves to another hold
 * document, and `<Leave>` or `<Hangup>` ends the pass (recorded by the caller of this function).
 * Without a waitUrl nothing is requested.
 */
export async function playHoldPass(hold: Hold, host: HoldHost): Promise<HoldOutcome> {
  const waitUrl = hold.node.attributes.waitUrl;
  if (waitUrl === undefined || waitUrl === "") return "on-hold";
  const params = waitUrlParams(hold);
  let docUrl = host.resolve(waitUrl, hold.documentUrl);
  let verbs = (await host.fetchTwiml(methodOf(hold.node.attributes.waitUrlMethod), docUrl, params)).children;
  for (let i = 0; i < verbs.length; i++) {
    const verb = verbs[i] as TwimlNode;
    if (verb.name === "Leave") return "leave";
    if (verb.name === "Hangup") return "hangup";
    if (verb.name === "Redirect") {
      // A redirect inside hold TwiML moves to another hold document, still with the queue's parameters.
      const redirectMethod = methodOf(verb.attributes.method);
      docUrl = host.resolve(verb.text, docUrl);
      host.record({ type: "redirect", url: docUrl, method: redirectMethod });
      verbs = (await host.fetchTwiml(redirectMethod, docUrl, params)).children;
      i = -1;
      continue;
    }
    if (verb.name === "Say" || verb.name === "Play" || verb.name === "Pause") await host.speak(verb, docUrl);
    else host.record({ type: "other", verb: verb.name, attributes: verb.attributes, text: verb.text });
  }
  // Twilio would fetch the waitUrl again when its TwiML runs out; the simulator stops after one pass.
  return "on-hold";
}
