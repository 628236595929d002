import type { InputData } from "../types";
import type { CompiledChoice, ResolvedMenu } from "./options";
import { findRun, speechTokens } from "./speech";

/** What the caller's answer to one attempt was. */
export type Answer = { kind: "choice"; choice: CompiledChoice } | { kind: "invalid" } | { kind: "timeout" };

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The choice the caller's speech picks: the longest phrase heard wins; then keys said aloud; ties between choices pick none. */
function matchSpeech(choices: readonly CompiledChoice[], utterance: string): CompiledChoice | undefined {
  const tokens = speechTokens(utterance);
  let best: CompiledChoice[] = [];
  let bestLength = 0;
  for (const choice of choices) {
    for (const phrase of choice.phraseTokens) {
      if (phrase.length < bestLength || findRun(tokens, phrase) < 0) continue;
      if (phrase.length > bestLength) best = [];
      bestLength = phrase.length;
      if (!best.includes(choice)) best.push(choice);
    }
  }
  if (best.length === 0) best = choices.filter((choice) => choice.keys.some((key) => tokens.includes(key)));
  return best.length === 1 ? best[0] : undefined;
}

/**
 * Reads the caller's answer from what Twilio posted: keys (`Digits`) or speech (`SpeechResult`);
 * neither means the Gather timed out and Twilio followed the `<Redirect>` after it.
 */
export function readAnswer(menu: ResolvedMenu, input: InputData | undefined): Answer {
  const digits = single(input?.Digits);
  const speech = single(input?.SpeechResult);
  if ((digits === undefined || digits === "") && (speech === undefined || speech.trim() === "")) return { kind: "timeout" };
  let choice: CompiledChoice | undefined;
  if (digits !== undefined && digits !== "") choice = menu.input.includes("dtmf") ? menu.choices.find((c) => c.keys.includes(digits)) : undefined;
  else if (speech !== undefined && menu.input.includes("speech")) choice = matchSpeech(menu.choices, speech);
  return choice === undefined ? { kind: "invalid" } : { kind: "choice", choice };
}
