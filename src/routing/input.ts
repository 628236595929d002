import type { InputData } from "../types";

/**
 * The input of a request whose body the library did not parse itself (an outer app's body parser
 * did, or there was none): its string and string-array fields copied into a plain object, `{}`
 * when there is no body. Keys are defined, not assigned, so a `__proto__` field stays data.
 */
export function toInputData(body: unknown): InputData {
  if (typeof body !== "object" || body === null) return {};
  const input: InputData = {};
  for (const key of Object.keys(body)) {
    const value = (body as Record<string, unknown>)[key];
    if (typeof value !== "string" && !Array.isArray(value)) continue;
    // Plain assignment is the fast path; only `__proto__` needs defining to stay an own, data key.
    if (key === "__proto__") Object.defineProperty(input, key, { value, enumerable: true, writable: true, configurable: true });
    else input[key] = value as string | string[];
  }
  return input;
}
