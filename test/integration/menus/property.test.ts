// Property: whatever a caller does at a menu (keys, right or wrong, several at once; sentences
// with filler words, odd case and punctuation, phrases and keys said aloud; silence), the call
// reaches a choice's state or onFailure within `tries` attempts, hearing one prompt per attempt
// used, and exactly what a small model of the menu predicts. Calls run in the simulator against an
// in-process app, every request signed and validated.
//
// fast-check prints the seed and path of a failure; rerun it with FC_SEED=<seed> (and FC_PATH=<path>).
import fc from "fast-check";
import { menu } from "../../../src";
import type { State } from "../../../src";
import { simulateCall, type SimulatedCall } from "../../../src/testing";
import { AUTH_TOKEN, buildApp, endState, validatingConfig } from "../../helpers/app";

// ---- The menu under test, in a few shapes -------------------------------------------------------

interface Choice {
  label: string;
  keys: string[];
  phrases: string[];
}

/** Single-key choices (numDigits 1), or keys of different lengths (no numDigits, `#` ends an entry). */
const KEY_SETS = {
  single: [["1"], ["2"], ["3"]],
  multi: [["12"], ["345"], ["6"]],
} as const;

/** "support" is inside "technical support": the longest phrase heard must win. */
const PHRASES = [["sales"], ["technical support"], ["support", "help desk"]];
const LABELS = ["SALES", "TECH", "HELP"];

interface Shape {
  tries: number;
  keySet: keyof typeof KEY_SETS;
  /** `undefined`: the default (keys and speech); "speech": keys are not listened to. */
  input: "speech" | undefined;
}

function choicesOf(shape: Shape): Choice[] {
  return LABELS.map((label, i) => ({ label, keys: [...KEY_SETS[shape.keySet][i]!], phrases: [...PHRASES[i]!] }));
}

const PROMPTS = ["Main menu, first prompt.", "Main menu, second prompt."];
const INVALID = "Sorry, that is not one of the choices.";
const TIMEOUT = "Sorry, I didn't catch that.";
const FAILURE = "Transferring you to an operator.";
const reached = (label: string): string => `Reached ${label}.`;

function buildMenuApp(shape: Shape) {
  const choices = choicesOf(shape);
  const targets = choices.map((c) => endState(c.label, `<Response><Say>${reached(c.label)}</Say><Hangup/></Response>`));
  const failed = endState("FAILED", `<Response><Say>${FAILURE}</Say><Hangup/></Response>`);
  const main: State = menu({
    name: "MAIN",
    uri: "/incoming-call",
    processTransitionUri: "/main-menu",
    prompt: PROMPTS,
    options: choices.map((c, i) => ({ keys: c.keys, phrases: c.phrases, to: targets[i]! })),
    tries: shape.tries,
    ...(shape.input === undefined ? {} : { input: shape.input }),
    onFailure: failed,
  });
  return buildApp([main, ...targets, failed], validatingConfig());
}

// ---- What the caller does ----------------------------------------------------------------------

/** Words that are no phrase word, no number and no key name, so they never pick anything. */
const NOISE = ["uh", "um", "well", "I'd", "like", "please", "the", "to", "talk", "about", "hmm", "okay", "my", "account", "thanks", "you", "know"];
const DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

/** One part of a sentence: filler, one of a choice's phrases, or one of its keys said aloud. */
type Segment = { kind: "noise"; word: string } | { kind: "phrase"; choice: number; phrase: number } | { kind: "key"; choice: number; asWords: boolean[] };

type Action = { kind: "press"; keys: string } | { kind: "say"; segments: Segment[]; separators: string[]; upper: boolean[] } | { kind: "silence" };

const segmentArb: fc.Arbitrary<Segment> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NOISE).map((word) => ({ kind: "noise" as const, word })) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("phrase" as const), choice: fc.nat(2), phrase: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("key" as const), choice: fc.nat(2), asWords: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }) }) },
);

const actionArb = (shape: Shape): fc.Arbitrary<Action> => {
  const validKeys = KEY_SETS[shape.keySet].flat();
  return fc.oneof(
    // A valid key (sometimes ended with #), or any keys at all.
    fc.tuple(fc.constantFrom(...validKeys), fc.boolean()).map(([keys, hash]) => ({ kind: "press" as const, keys: hash ? `${keys}#` : keys })),
    fc.stringMatching(/^[0-9*#]{1,5}$/).map((keys) => ({ kind: "press" as const, keys })),
    fc.record({
      kind: fc.constant("say" as const),
      // Filler between segments, so digits said for one key never run into another's.
      segments: fc.array(segmentArb, { minLength: 1, maxLength: 5 }).map((segments) => segments.flatMap((s, i): Segment[] => (i === 0 ? [s] : [{ kind: "noise", word: "uh" }, s]))),
      separators: fc.array(fc.constantFrom(" ", ", ", "... ", " - ", "! ", "? ", " (", ") ", '"'), { minLength: 12, maxLength: 12 }),
      upper: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    }),
    fc.constant({ kind: "silence" as const }),
  );
};

/** The words a segment says. */
function wordsOf(segment: Segment, choices: Choice[]): string[] {
  switch (segment.kind) {
    case "noise":
      return [segment.word];
    case "phrase": {
      const phrases = choices[segment.choice]!.phrases;
      return phrases[segment.phrase % phrases.length]!.split(" ");
    }
    case "key":
      return Array.from(choices[segment.choice]!.keys[0]!, (digit, i) => (segment.asWords[i % 3] === true ? DIGIT_WORDS[Number(digit)]! : digit));
  }
}

/** The sentence as the recognizer returns it: the words with punctuation between and odd case. */
function sentence(action: Extract<Action, { kind: "say" }>, choices: Choice[]): string {
  const words = action.segments.flatMap((s) => wordsOf(s, choices));
  const text = words.map((word, i) => `${i === 0 ? "" : action.separators[i % 12]!}${action.upper[i % 12] === true ? word.toUpperCase() : word}`).join("");
  return `${text}.`;
}

// ---- The model ---------------------------------------------------------------------------------

type Outcome = { kind: "choice"; label: string } | { kind: "invalid" } | { kind: "timeout" };

/** The keys a Gather collects from what was pressed, as Twilio does: up to numDigits, or up to the # key. */
function gathered(shape: Shape, keys: string): string {
  const numDigits = shape.keySet === "single" ? 1 : Number.POSITIVE_INFINITY;
  let digits = "";
  for (const key of keys) {
    if (key === "#") break;
    digits += key;
    if (digits.length >= numDigits) break;
  }
  return digits;
}

/** Whether `needle` occurs as consecutive words in `haystack`. */
const contains = (haystack: string[], needle: string[]): boolean =>
  haystack.some((_, i) => needle.every((word, j) => haystack[i + j] === word));

/** What the menu should make of one action: the documented rules, applied to the segments the caller said. */
function modelOutcome(shape: Shape, choices: Choice[], action: Action): Outcome {
  if (action.kind === "silence") return { kind: "timeout" };
  if (action.kind === "press") {
    if (shape.input === "speech") return { kind: "timeout" }; // keys are not listened to: the Gather times out
    const digits = gathered(shape, action.keys);
    if (digits === "") return { kind: "timeout" }; // only # pressed: no entry
    const choice = choices.find((c) => c.keys.includes(digits));
    return choice === undefined ? { kind: "invalid" } : { kind: "choice", label: choice.label };
  }
  // Phrases heard: every phrase (of any choice) inside a segment the caller said; the longest wins, a tie between choices picks none.
  const heard = choices.flatMap((c) =>
    c.phrases.flatMap((p) => (action.segments.some((s) => s.kind === "phrase" && contains(wordsOf(s, choices), p.split(" "))) ? [{ label: c.label, length: p.split(" ").length }] : [])),
  );
  if (heard.length > 0) {
    const longest = Math.max(...heard.map((h) => h.length));
    const winners = new Set(heard.filter((h) => h.length === longest).map((h) => h.label));
    return winners.size === 1 ? { kind: "choice", label: [...winners][0]! } : { kind: "invalid" };
  }
  // No phrase: a key said aloud picks its choice, unless keys of several choices were said.
  const keyed = new Set(action.segments.flatMap((s) => (s.kind === "key" ? [choices[s.choice]!.label] : [])));
  return keyed.size === 1 ? { kind: "choice", label: [...keyed][0]! } : { kind: "invalid" };
}

interface Expected {
  said: string[];
  attempts: number;
  end: string;
}

/** The whole call as the model sees it: what is said, and how many attempts are used. */
function model(shape: Shape, choices: Choice[], actions: Action[]): Expected {
  const said: string[] = [PROMPTS[0]!];
  for (let attempt = 1; ; attempt++) {
    const outcome = modelOutcome(shape, choices, actions[attempt - 1]!);
    if (outcome.kind === "choice") return { said: [...said, reached(outcome.label)], attempts: attempt, end: outcome.label };
    if (attempt === shape.tries) return { said: [...said, FAILURE], attempts: attempt, end: "FAILED" };
    said.push(outcome.kind === "invalid" ? INVALID : TIMEOUT, PROMPTS[Math.min(attempt + 1, PROMPTS.length) - 1]!);
  }
}

async function perform(call: SimulatedCall, action: Action, choices: Choice[]): Promise<void> {
  switch (action.kind) {
    case "press":
      return call.press(action.keys);
    case "say":
      return call.say(sentence(action, choices));
    case "silence":
      return call.silence();
  }
}

// ---- The property ------------------------------------------------------------------------------

const shapeArb: fc.Arbitrary<Shape> = fc.record({
  tries: fc.integer({ min: 1, max: 4 }),
  keySet: fc.constantFrom("single" as const, "multi" as const),
  input: fc.constantFrom(undefined, "speech" as const),
});

const scenarioArb = shapeArb.chain((shape) => fc.tuple(fc.constant(shape), fc.array(actionArb(shape), { minLength: shape.tries, maxLength: shape.tries })));

const seed = process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED), ...(process.env.FC_PATH === undefined ? {} : { path: process.env.FC_PATH }) };

jest.setTimeout(60_000);

describe("a menu, for any sequence of caller actions", () => {
  it("reaches a choice or onFailure within `tries` attempts, one prompt per attempt, as the model predicts", async () => {
    const apps = new Map<string, ReturnType<typeof buildApp>>();
    const appFor = (shape: Shape) => {
      const key = JSON.stringify(shape);
      if (!apps.has(key)) apps.set(key, buildMenuApp(shape));
      return apps.get(key)!;
    };
    /** How the generated calls ended and what they heard, to check the runs covered every case. */
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ([shape, actions]) => {
        const choices = choicesOf(shape);
        const expected = model(shape, choices, actions);
        seen.add(expected.end);
        for (const text of expected.said) if (text === INVALID || text === TIMEOUT) seen.add(text);
        const call = await simulateCall(appFor(shape), { uri: "/incoming-call", authToken: AUTH_TOKEN });
        for (const action of actions) {
          if (call.ended) break;
          await perform(call, action, choices);
        }
        const gathers = call.transcript.flatMap((e) => (e.type === "gather" ? [Number(new URL(e.action).searchParams.get("attempt"))] : []));
        const prompts = call.said.filter((text) => PROMPTS.includes(text));
        const actual = { said: call.said, attempts: gathers.length, ended: call.ended };
        expect(actual).toEqual({ said: expected.said, attempts: expected.attempts, ended: true });
        // Within tries, numbered 1..n in the answer URLs, one prompt heard per attempt used.
        expect(gathers).toEqual(Array.from({ length: expected.attempts }, (_, i) => i + 1));
        expect(gathers.length).toBeLessThanOrEqual(shape.tries);
        expect(prompts).toHaveLength(gathers.length);
      }),
      { numRuns: 150, ...seed },
    );
    expect([...seen].sort()).toEqual(["FAILED", "HELP", "SALES", "TECH", INVALID, TIMEOUT].sort());
  });

  it("the model itself: a few hand-checked cases", () => {
    const shape: Shape = { tries: 3, keySet: "single", input: undefined };
    const choices = choicesOf(shape);
    const say = (...segments: Segment[]): Action => ({ kind: "say", segments, separators: Array<string>(12).fill(" "), upper: Array<boolean>(12).fill(false) });
    expect(modelOutcome(shape, choices, say({ kind: "phrase", choice: 1, phrase: 0 }, { kind: "noise", word: "uh" }, { kind: "phrase", choice: 2, phrase: 0 }))).toEqual({
      kind: "choice",
      label: "TECH",
    });
    expect(modelOutcome(shape, choices, say({ kind: "phrase", choice: 0, phrase: 0 }, { kind: "noise", word: "uh" }, { kind: "phrase", choice: 2, phrase: 0 }))).toEqual({ kind: "invalid" });
    expect(modelOutcome(shape, choices, say({ kind: "key", choice: 2, asWords: [true, true, true] }))).toEqual({ kind: "choice", label: "HELP" });
    expect(modelOutcome(shape, choices, { kind: "press", keys: "#1" })).toEqual({ kind: "timeout" });
    expect(modelOutcome({ ...shape, keySet: "multi" }, choicesOf({ ...shape, keySet: "multi" }), { kind: "press", keys: "345#9" })).toEqual({ kind: "choice", label: "TECH" });
    expect(model(shape, choices, [{ kind: "press", keys: "9" }, { kind: "silence" }, { kind: "press", keys: "0" }])).toEqual({
      said: [PROMPTS[0], INVALID, PROMPTS[1], TIMEOUT, PROMPTS[1], FAILURE],
      attempts: 3,
      end: "FAILED",
    });
  });
});
