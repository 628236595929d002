import { describeValue } from "./states";
import type { TwimlValue } from "./types";

/**
 * Turns what a `twimlFor` produced into the response body, or undefined when it is not TwiML
 * (`undefined`, `null`, a number, or an object without a `toString()` of its own).
 */
export function twimlToString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  const hasOwnToString =
    typeof value === "object" && value !== null && typeof value.toString === "function" && value.toString !== Object.prototype.toString;
  return hasOwnToString ? (value as TwimlValue).toString() : undefined;
}

/** The error for a `twimlFor` that returned something that is not TwiML. */
export function notTwimlMessage(owner: string, value: unknown): string {
  return `${owner} returned ${describeValue(value)}; it must return a TwiML string, an object whose toString() is TwiML (e.g. VoiceResponse), or a promise for one`;
}
