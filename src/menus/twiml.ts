// The TwiML builder alone: twilio's public entry would load its REST client too (see src/request-validation.ts).
import type VoiceResponse from "twilio/lib/twiml/VoiceResponse.js";
import { loadOnUse } from "../load-on-use";
import type { PromptVerb } from "./prompt-content";
import type { ResolvedMenu } from "./options";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see load-on-use.ts
const voiceResponse = loadOnUse(() => require("twilio/lib/twiml/VoiceResponse.js") as typeof VoiceResponse);

type Gather = ReturnType<VoiceResponse["gather"]>;
type GatherAttributes = NonNullable<Parameters<VoiceResponse["gather"]>[0]>;

function numberAttribute(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function append(gather: Gather, verbs: readonly PromptVerb[]): void {
  for (const verb of verbs) {
    const { loop, voice, language, digits, length } = verb.attributes;
    switch (verb.name) {
      case "Say":
        gather.say({ ...(voice === undefined ? {} : { voice: voice as never }), ...(language === undefined ? {} : { language: language as never }), ...(loop === undefined ? {} : { loop: numberAttribute(loop) }) }, verb.text);
        break;
      case "Play":
        gather.play({ ...(loop === undefined ? {} : { loop: numberAttribute(loop) }), ...(digits === undefined ? {} : { digits }) }, verb.text);
        break;
      case "Pause":
        gather.pause(length === undefined ? {} : { length: numberAttribute(length) });
        break;
    }
  }
}

/** The URL the caller's answer to attempt `attempt` is posted to: Twilio signs it, query and all. */
export function answerUrl(menu: ResolvedMenu, attempt: number): string {
  return `${menu.processTransitionUri}?attempt=${attempt}`;
}

/**
 * A menu's TwiML for one attempt, built with twilio's `VoiceResponse` (which escapes all text):
 * a `<Gather>` holding the message about the last attempt (if any) and the prompt, posting to the
 * answer URL; then a `<Redirect>` there, which Twilio follows when the caller says nothing.
 */
export function menuTwiml(menu: ResolvedMenu, attempt: number, before: readonly PromptVerb[], prompt: readonly PromptVerb[]): string {
  const response = new (voiceResponse())();
  const url = answerUrl(menu, attempt);
  const attributes: GatherAttributes = { action: url, method: "POST", input: [...menu.input] };
  if (menu.numDigits !== undefined) attributes.numDigits = menu.numDigits;
  if (menu.finishOnKey !== undefined) attributes.finishOnKey = menu.finishOnKey;
  if (menu.timeout !== undefined) attributes.timeout = menu.timeout;
  if (menu.hints !== undefined) attributes.hints = menu.hints;
  if (menu.language !== undefined) attributes.language = menu.language as GatherAttributes["language"];
  const gather = response.gather(attributes);
  append(gather, before);
  append(gather, prompt);
  response.redirect({ method: "POST" }, url);
  return response.toString();
}
