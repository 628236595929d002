import type { InputData } from "./types";

// Keeps a sensitive state's caller input out of the library's log lines and error messages.

/** The parameters that carry what the caller keyed or said. */
const CALLER_INPUT_PARAMS = ["Digits", "SpeechResult", "UnstableSpeechResult"] as const;

const REDACTED = "[redacted]";

/** The caller's input values in a request, longest first (so that "1234" goes before "12"). */
export function callerInputValues(input: InputData | undefined): string[] {
  if (input === undefined) return [];
  const values = new Set<string>();
  for (const key of CALLER_INPUT_PARAMS) {
    const value = input[key];
    for (const one of Array.isArray(value) ? value : [value]) {
      if (typeof one === "string" && one.trim() !== "") values.add(one);
    }
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/** `text` with every occurrence of each value replaced by {@link REDACTED}. */
export function redactValues(text: string, values: readonly string[]): string {
  let result = text;
  for (const value of values) result = result.split(value).join(REDACTED);
  return result;
}
