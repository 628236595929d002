// What a speech recognizer heard, folded into tokens (src/menus/speech.ts), and the contiguous-run
// search used to find a menu's phrases in it. Examples pin the documented folding; fast-check
// properties vary case, punctuation, filler words and the way digits are said.
import fc from "fast-check";
import { findRun, speechTokens } from "../../../src/menus/speech";

const DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"] as const;

/** Words that are neither numbers nor key names, so they never turn into digits. */
const PLAIN_WORDS = ["uh", "um", "please", "like", "the", "lunch", "specials", "billing", "support", "okay", "id", "want", "to", "talk", "café", "menu"];

/** Separators that fold away: spaces and punctuation (no apostrophes, which join words, no `*`/`#`, which are keys). */
const SEPARATOR = fc.stringMatching(/^[ ,.!?;:\-"()/\u2026\u2014]{1,3}$/).filter((s) => /[ ,.!?;:\-"()/\u2026\u2014]/.test(s));

/** Randomly upper-cases some letters. */
function recase(text: string, mask: readonly boolean[]): string {
  return Array.from(text, (ch, i) => (mask[i % Math.max(1, mask.length)] === true ? ch.toUpperCase() : ch)).join("");
}

describe("speechTokens: examples", () => {
  it.each([
    ["Uh, I'd like the lunch specials, please.", ["uh", "id", "like", "the", "lunch", "specials", "please"]],
    ["LUNCH   Specials!!!", ["lunch", "specials"]],
    ["one", ["1"]],
    ["press one please", ["press", "1", "please"]],
    ["one two three", ["123"]],
    ["1 2 3", ["123"]],
    ["One, two... three!", ["123"]],
    ["123", ["123"]],
    ["twenty one", ["21"]],
    ["twenty-one", ["21"]],
    ["ten", ["10"]],
    ["nineteen", ["19"]],
    ["star", ["*"]],
    ["pound", ["#"]],
    ["one two star", ["12*"]],
    ["account number four five six pound", ["account", "number", "456#"]],
    ["I’d rather not", ["id", "rather", "not"]],
    ["Café crème", ["cafe", "creme"]],
    // Compatibility forms fold to their plain letters, lower-cased after decomposition.
    ["\u{1D412}\u{1D400}\u{1D40B}\u{1D404}\u{1D412}", ["sales"]],
    ["ＳＡＬＥＳ", ["sales"]],
    ["", []],
    ["?!, ...", []],
  ])("%j -> %j", (text, tokens) => {
    expect(speechTokens(text)).toEqual(tokens);
  });

  it("keeps a multi-digit number apart from the single digits around it", () => {
    expect(speechTokens("one twenty three")).toEqual(["1", "23"]);
    expect(speechTokens("one 23 four")).toEqual(["1", "23", "4"]);
  });
});

describe("speechTokens: properties", () => {
  /** A sentence as a list of words, each a plain word, a digit word, or a digit character. */
  const word = fc.oneof(fc.constantFrom(...PLAIN_WORDS), fc.constantFrom(...DIGIT_WORDS), fc.integer({ min: 0, max: 9 }).map(String));

  it("ignores case and punctuation: speechTokens(s) equals speechTokens(s upper-cased, with punctuation around and between the words)", () => {
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 8 }),
        fc.array(SEPARATOR, { minLength: 10, maxLength: 10 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (words, separators, mask, allUpper) => {
          const plain = words.join(" ");
          const noisy = separators[0]! + words.map((w, i) => (i === 0 ? "" : separators[i % separators.length]!) + w).join("") + separators[9]!;
          const shouted = allUpper ? noisy.toUpperCase() : recase(noisy, mask);
          expect(speechTokens(shouted)).toEqual(speechTokens(plain));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("joins single digits, said as words or as digits in any case, into one token", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 10 }),
        SEPARATOR,
        (digits, separator) => {
          const said = digits.map(([d, asWord, upper]) => (asWord ? (upper ? DIGIT_WORDS[d]!.toUpperCase() : DIGIT_WORDS[d]!) : String(d))).join(separator);
          expect(speechTokens(said)).toEqual([digits.map(([d]) => String(d)).join("")]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps plain words in order and joins each run of digits between them", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...PLAIN_WORDS).map((w) => ({ word: w })), fc.integer({ min: 0, max: 9 }).map((d) => ({ digit: d }))), {
          maxLength: 12,
        }),
        (parts) => {
          const expected: string[] = [];
          let run = "";
          for (const part of parts) {
            if ("digit" in part) {
              run += String(part.digit);
              continue;
            }
            if (run !== "") expected.push(run);
            run = "";
            expected.push(part.word.normalize("NFKD").replace(/[\u0300-\u036f]/g, ""));
          }
          if (run !== "") expected.push(run);
          const said = parts.map((part) => ("digit" in part ? DIGIT_WORDS[part.digit]! : part.word)).join(" ");
          expect(speechTokens(said)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("is idempotent: the tokens of the tokens joined with spaces are the tokens", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.array(word, { maxLength: 8 }).map((w) => w.join(" "))), (text) => {
        const tokens = speechTokens(text);
        expect(speechTokens(tokens.join(" "))).toEqual(tokens);
      }),
      { numRuns: 300 },
    );
  });

  it("never returns an empty token, upper-case letters or separators", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60, unit: "grapheme" }), (text) => {
        for (const token of speechTokens(text)) {
          expect(token).not.toBe("");
          expect(token).not.toMatch(/[\sA-Z,.!?;:'"]/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("findRun", () => {
  it("finds the first contiguous run of the needle, or -1", () => {
    expect(findRun(["a", "b", "c", "b", "c"], ["b", "c"])).toBe(1);
    expect(findRun(["a", "b", "c"], ["a", "c"])).toBe(-1);
    expect(findRun(["a", "b"], ["a", "b", "c"])).toBe(-1);
    expect(findRun(["a"], [])).toBe(-1);
    expect(findRun([], [])).toBe(-1);
    expect(findRun(["lunch", "specials"], ["lunch", "specials"])).toBe(0);
  });

  const token = fc.constantFrom("a", "b", "c", "1", "12");

  it("finds a needle placed anywhere in a haystack, at or before where it was placed", () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 6 }), fc.array(token, { minLength: 1, maxLength: 4 }), fc.array(token, { maxLength: 6 }), (before, needle, after) => {
        const haystack = [...before, ...needle, ...after];
        const at = findRun(haystack, needle);
        expect(at).toBeGreaterThanOrEqual(0);
        expect(at).toBeLessThanOrEqual(before.length);
        expect(haystack.slice(at, at + needle.length)).toEqual(needle);
      }),
      { numRuns: 300 },
    );
  });

  it("agrees with a naive search on any haystack and needle", () => {
    const naive = (haystack: readonly string[], needle: readonly string[]): number => {
      if (needle.length === 0) return -1;
      for (let i = 0; i + needle.length <= haystack.length; i++) {
        if (needle.every((t, j) => haystack[i + j] === t)) return i;
      }
      return -1;
    };
    fc.assert(
      fc.property(fc.array(token, { maxLength: 10 }), fc.array(token, { maxLength: 4 }), (haystack, needle) => {
        expect(findRun(haystack, needle)).toBe(naive(haystack, needle));
      }),
      { numRuns: 500 },
    );
  });
});
