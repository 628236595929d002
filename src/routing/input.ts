import type { InputData } from "../types";

/**
 * Copies a parsed form body into a plain object of the user's state functions: `{}` when the
 * POST had no (form) body. Keys are defined, not assigned, so a `__proto__` field stays data.
 */
export function toInputData(body: unknown): InputData {
  if (typeof body !== "object" || body === null) return {};
  // The library's own form parser gives a prototype-less object of strings and string arrays:
  // one spread copies it (spread defines properties, so a `__proto__` field stays data).
  if (Object.getPrototypeOf(body) === null && allFieldValues(body as Record<string, unknown>)) return { ...(body as InputData) };
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

/** True when every own value is a string or an array (what a parsed form holds). */
function allFieldValues(body: Record<string, unknown>): boolean {
  for (const key in body) {
    const value = body[key];
    if (typeof value !== "string" && !Array.isArray(value)) return false;
  }
  return true;
}
