// Matching what a speech recognizer heard against a menu's phrases and keys. Recognizers return
// sentences ("Uh, I'd like the lunch specials, please."), numbers as words or digits ("one", "1"),
// and any case and punctuation: all of that is folded away before comparing token sequences.

const UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
const TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
const TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
/** What callers say for the keys that are not digits. */
const SYMBOLS: Readonly<Record<string, string>> = { star: "*", asterisk: "*", pound: "#", hash: "#", hashtag: "#" };

const NUMBER_WORDS = new Map<string, number>([
  ...UNITS.map((word, i) => [word, i] as [string, number]),
  ...TEENS.map((word, i) => [word, 10 + i] as [string, number]),
  ...TENS.flatMap((word, i) => (word === "" ? [] : [[word, i * 10] as [string, number]])),
]);

/** Lower case, apostrophes dropped ("I'd" -> "id"), every other non-alphanumeric (but * and #) a space. */
function words(text: string): string[] {
  // Decomposed before lower-casing: some compatibility forms decompose to capitals ("𝐀" -> "A").
  return text
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/['’]/g, "")
    .replace(/[^\p{L}\p{N}*#]+/gu, " ")
    .split(" ")
    .filter((word) => word !== "");
}

/**
 * Tokens of an utterance or phrase: words, with numbers said as words turned into digits
 * ("twenty one" -> "21") and runs of single digits joined ("one two three" -> "123", as a
 * caller says a multi-digit key), and "star"/"pound" turned into `*`/`#`.
 */
export function speechTokens(text: string): string[] {
  const tokens: string[] = [];
  let digits = "";
  const flush = (): void => {
    if (digits !== "") tokens.push(digits);
    digits = "";
  };
  const raw = words(text);
  for (let i = 0; i < raw.length; i++) {
    const word = raw[i] as string;
    let value: string | undefined;
    const n = NUMBER_WORDS.get(word);
    if (n !== undefined) {
      const next = raw[i + 1];
      const unit = next === undefined ? undefined : NUMBER_WORDS.get(next);
      // "twenty one" is 21, not "20" then "1".
      if (n >= 20 && n % 10 === 0 && unit !== undefined && unit > 0 && unit < 10) {
        value = String(n + unit);
        i++;
      } else {
        value = String(n);
      }
    } else if (/^[0-9]+$/.test(word) || word === "*" || word === "#") {
      value = word;
    } else if (SYMBOLS[word] !== undefined) {
      value = SYMBOLS[word];
    }
    if (value !== undefined && /^[0-9*#]$/.test(value)) {
      digits += value;
      continue;
    }
    flush();
    tokens.push(value ?? word);
  }
  flush();
  return tokens;
}

/** Index of the first place `needle` occurs as a contiguous run in `haystack`, or -1. */
export function findRun(haystack: readonly string[], needle: readonly string[]): number {
  if (needle.length === 0 || needle.length > haystack.length) return -1;
  outer: for (let start = 0; start + needle.length <= haystack.length; start++) {
    for (let j = 0; j < needle.length; j++) if (haystack[start + j] !== needle[j]) continue outer;
    return start;
  }
  return -1;
}
