import { ConfigError } from "../errors";
import { describeValue, isValidState, stateProblems } from "../states";
import type { MenuOptions, MenuTarget, UrlFor } from "../types";
import { parsePromptContent, type PromptVerb } from "./prompt-content";
import { speechTokens } from "./speech";

/** A choice ready for matching. */
export interface CompiledChoice {
  index: number;
  keys: readonly string[];
  phrases: readonly string[];
  /** Each phrase as speech tokens. */
  phraseTokens: readonly (readonly string[])[];
  to: MenuTarget;
}

/** A prompt ready to render: parsed verbs per attempt, or the user's function. */
export type CompiledPrompt = { kind: "fixed"; attempts: readonly (readonly PromptVerb[])[] } | { kind: "function"; fn: (urlFor: UrlFor, attempt: number) => unknown };

/** `menu()`'s options, checked, with every default filled in. */
export interface ResolvedMenu {
  name: string;
  uri: string | undefined;
  processTransitionUri: string;
  prompt: CompiledPrompt;
  choices: readonly CompiledChoice[];
  input: readonly ("dtmf" | "speech")[];
  numDigits: number | undefined;
  finishOnKey: string | undefined;
  timeout: number | undefined;
  hints: string | undefined;
  language: string | undefined;
  tries: number;
  onInvalid: readonly PromptVerb[];
  onTimeout: readonly PromptVerb[];
  onFailure: MenuTarget;
  sensitive: boolean;
}

const KEY = /^[0-9*#]+$/;
const DEFAULT_TRIES = 3;
const DEFAULT_ON_INVALID = "Sorry, that is not one of the choices.";
const DEFAULT_ON_TIMEOUT = "Sorry, I didn't catch that.";

/** Collects every problem of a menu's options, so that one error lists them all. */
class Problems {
  readonly list: string[] = [];
  add(message: string): void {
    this.list.push(message);
  }
}

function checkTarget(value: unknown, where: string, problems: Problems): MenuTarget | undefined {
  if (typeof value === "function") return value as MenuTarget;
  if (isValidState(value)) return value;
  if (value === undefined) {
    problems.add(`${where} is required: the state to go to (or a function of the input returning it)`);
  } else {
    const reasons = typeof value === "object" && value !== null ? `: it ${stateProblems(value).join("; it ")}` : "";
    problems.add(`${where} must be a state or a function returning one, got ${describeValue(value)}${reasons}`);
  }
  return undefined;
}

function positiveInteger(value: unknown, where: string, problems: Problems): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    problems.add(`${where} must be a positive whole number, got ${describeValue(value)}`);
    return undefined;
  }
  return value;
}

function content(value: unknown, where: string, fallback: string, problems: Problems): PromptVerb[] {
  const text = value ?? fallback;
  if (typeof text !== "string") {
    problems.add(`${where} must be TwiML content (a string), got ${describeValue(text)}`);
    return [];
  }
  try {
    return parsePromptContent(text);
  } catch (err) {
    problems.add(`${where} ${(err as Error).message}`);
    return [];
  }
}

function compilePrompt(value: unknown, problems: Problems): CompiledPrompt {
  if (typeof value === "function") return { kind: "function", fn: value as (urlFor: UrlFor, attempt: number) => unknown };
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    problems.add(`options.prompt is required: TwiML content, an array of it (one per attempt), or a function of (urlFor, attempt); got ${describeValue(value)}`);
    return { kind: "fixed", attempts: [] };
  }
  return { kind: "fixed", attempts: list.map((item: unknown, i) => content(item, `options.prompt${Array.isArray(value) ? `[${i}]` : ""}`, "", problems)) };
}

function compileChoices(value: unknown, problems: Problems): CompiledChoice[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(`options.options must be a non-empty array of { keys?, phrases?, to }, got ${describeValue(value)}`);
    return [];
  }
  const choices: CompiledChoice[] = [];
  value.forEach((raw: unknown, index) => {
    const where = `options.options[${index}]`;
    if (typeof raw !== "object" || raw === null) {
      problems.add(`${where} must be an object { keys?, phrases?, to }, got ${describeValue(raw)}`);
      return;
    }
    const { keys = [], phrases = [], to } = raw as { keys?: unknown; phrases?: unknown; to?: unknown };
    const keyList = Array.isArray(keys) ? (keys as unknown[]) : [];
    const phraseList = Array.isArray(phrases) ? (phrases as unknown[]) : [];
    if (!Array.isArray(keys)) problems.add(`${where}.keys must be an array of key strings, got ${describeValue(keys)}`);
    if (!Array.isArray(phrases)) problems.add(`${where}.phrases must be an array of strings, got ${describeValue(phrases)}`);
    for (const key of keyList) {
      if (typeof key !== "string" || !KEY.test(key)) problems.add(`${where}.keys: ${describeValue(key)} is not a key; keys are "0"-"9", "*", "#" or several of them, e.g. "123"`);
    }
    const phraseTokens: string[][] = [];
    for (const phrase of phraseList) {
      const tokens = typeof phrase === "string" ? speechTokens(phrase) : [];
      if (tokens.length === 0) problems.add(`${where}.phrases: ${describeValue(phrase)} has no words to match`);
      phraseTokens.push(tokens);
    }
    if (keyList.length === 0 && phraseList.length === 0) problems.add(`${where} has neither keys nor phrases, so no caller could choose it`);
    const target = checkTarget(to, `${where}.to`, problems);
    // Copies (so later changes to the caller's arrays change nothing), of string keys only (others are reported above).
    const keyStrings = keyList.filter((key): key is string => typeof key === "string");
    choices.push({ index, keys: keyStrings, phrases: [...phraseList] as string[], phraseTokens, to: target as MenuTarget });
  });
  return choices;
}

/** Two choices that one key press or one sentence would both pick make the menu ambiguous. */
function checkConflicts(choices: readonly CompiledChoice[], problems: Problems): void {
  const keyOwner = new Map<string, number>();
  const phraseOwner = new Map<string, number>();
  for (const choice of choices) {
    for (const key of choice.keys) {
      const owner = keyOwner.get(key);
      if (owner !== undefined && owner !== choice.index) problems.add(`key ${JSON.stringify(key)} is in options[${owner}] and options[${choice.index}]`);
      if (owner === undefined) keyOwner.set(key, choice.index);
    }
    choice.phraseTokens.forEach((tokens, i) => {
      const normal = tokens.join(" ");
      const owner = phraseOwner.get(normal);
      if (owner !== undefined && owner !== choice.index) {
        problems.add(`phrase ${JSON.stringify(choice.phrases[i])} of options[${choice.index}] matches the same words as a phrase of options[${owner}]`);
      }
      if (owner === undefined) phraseOwner.set(normal, choice.index);
    });
  }
  // A phrase that contains another choice's key (as a number said aloud) would pick both.
  for (const choice of choices) {
    choice.phraseTokens.forEach((tokens, i) => {
      for (const token of tokens) {
        const owner = keyOwner.get(token);
        if (owner !== undefined && owner !== choice.index) {
          problems.add(`phrase ${JSON.stringify(choice.phrases[i])} of options[${choice.index}] says key ${JSON.stringify(token)} of options[${owner}]: a caller saying it would pick both`);
        }
      }
    });
  }
}

function resolveInput(value: unknown, choices: readonly CompiledChoice[], problems: Problems): ("dtmf" | "speech")[] {
  const hasKeys = choices.some((c) => c.keys.length > 0);
  const hasPhrases = choices.some((c) => c.phrases.length > 0);
  if (value === undefined) return [...(hasKeys ? ["dtmf" as const] : []), ...(hasPhrases ? ["speech" as const] : [])];
  if (value !== "dtmf" && value !== "speech" && value !== "dtmf speech") {
    problems.add(`options.input must be "dtmf", "speech" or "dtmf speech", got ${describeValue(value)}`);
    return ["dtmf"];
  }
  const input = value.split(" ") as ("dtmf" | "speech")[];
  if (!input.includes("speech") && hasPhrases) problems.add(`options.input is "dtmf" but some options have phrases, which only speech can match`);
  return input;
}

/**
 * Checks `menu()`'s options and fills in defaults.
 * @throws ConfigError (`ERR_IVR_STATE_INVALID`) naming the menu and every problem.
 */
export function resolveMenuOptions(options: MenuOptions): ResolvedMenu {
  if (typeof options !== "object" || (options as unknown) === null) {
    throw new ConfigError("ERR_IVR_STATE_INVALID", `menu(options): options must be an object, got ${describeValue(options)}`);
  }
  const problems = new Problems();
  const o = options as unknown as Record<string, unknown>;
  const name = typeof o.name === "string" && o.name !== "" ? o.name : undefined;
  if (name === undefined) problems.add(`options.name is required (a non-empty string), got ${describeValue(o.name)}`);
  for (const key of ["uri", "processTransitionUri"] as const) {
    const value = o[key];
    if ((value !== undefined || key === "processTransitionUri") && (typeof value !== "string" || !value.startsWith("/"))) {
      problems.add(`options.${key} must be a path starting with "/", got ${describeValue(value)}`);
    } else if (typeof value === "string" && /[?#]/.test(value)) {
      // Routes match the path alone, and the menu adds its own query (the attempt) to the answer URL.
      problems.add(`options.${key} must be a path without a query string or fragment, got ${describeValue(value)}`);
    }
  }
  const prompt = compilePrompt(o.prompt, problems);
  const choices = compileChoices(o.options, problems);
  checkConflicts(choices, problems);
  const input = resolveInput(o.input, choices, problems);

  const keyLengths = new Set(choices.flatMap((c) => c.keys.map((k) => k.length)));
  const numDigits = positiveInteger(o.numDigits, "options.numDigits", problems) ?? (keyLengths.size === 1 ? [...keyLengths][0] : undefined);
  const longest = Math.max(0, ...keyLengths);
  if (o.numDigits !== undefined && numDigits !== undefined && numDigits < longest) {
    problems.add(`options.numDigits is ${numDigits} but a key has ${longest} digits, so it could never be entered`);
  }
  const anyKeyHasHash = choices.some((c) => c.keys.some((k) => k.includes("#")));
  let finishOnKey: string | undefined;
  if (o.finishOnKey === undefined) {
    finishOnKey = anyKeyHasHash ? "" : undefined;
  } else if (typeof o.finishOnKey !== "string" || !/^[0-9*#]?$/.test(o.finishOnKey)) {
    problems.add(`options.finishOnKey must be one key ("0"-"9", "*", "#") or "" for none, got ${describeValue(o.finishOnKey)}`);
  } else {
    finishOnKey = o.finishOnKey;
    const clash = choices.find((c) => c.keys.some((k) => finishOnKey !== "" && k.includes(finishOnKey as string)));
    if (clash !== undefined) problems.add(`options.finishOnKey ${JSON.stringify(finishOnKey)} is part of a key of options[${clash.index}], which could then never be entered`);
  }
  const timeout = positiveInteger(o.timeout, "options.timeout", problems);
  let hints: string | undefined;
  if (o.hints === undefined) {
    const phrases = choices.flatMap((c) => c.phrases);
    hints = input.includes("speech") && phrases.length > 0 ? phrases.join(", ") : undefined;
  } else if (typeof o.hints === "string") {
    hints = o.hints;
  } else if (Array.isArray(o.hints) && o.hints.every((h) => typeof h === "string")) {
    hints = (o.hints).join(", ");
  } else {
    problems.add(`options.hints must be a string or an array of strings, got ${describeValue(o.hints)}`);
  }
  if (o.language !== undefined && (typeof o.language !== "string" || o.language === "")) problems.add(`options.language must be a language tag such as "en-US", got ${describeValue(o.language)}`);
  const tries = positiveInteger(o.tries, "options.tries", problems) ?? DEFAULT_TRIES;
  const onInvalid = content(o.onInvalid, "options.onInvalid", DEFAULT_ON_INVALID, problems);
  const onTimeout = content(o.onTimeout, "options.onTimeout", DEFAULT_ON_TIMEOUT, problems);
  const onFailure = checkTarget(o.onFailure, "options.onFailure", problems);
  if (o.sensitive !== undefined && typeof o.sensitive !== "boolean") problems.add(`options.sensitive must be true or false, got ${describeValue(o.sensitive)}`);

  if (problems.list.length > 0) {
    throw new ConfigError(
      "ERR_IVR_STATE_INVALID",
      `Invalid state provided: menu(${name === undefined ? "unnamed" : JSON.stringify(name)}): ${problems.list.join("; ")}`,
    );
  }
  return {
    name: name as string,
    uri: o.uri as string | undefined,
    processTransitionUri: o.processTransitionUri as string,
    prompt,
    choices,
    input,
    numDigits,
    finishOnKey,
    timeout,
    hints,
    language: o.language as string | undefined,
    tries,
    onInvalid,
    onTimeout,
    onFailure: onFailure as MenuTarget,
    sensitive: o.sensitive === true,
  };
}
