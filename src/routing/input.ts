import type { InputData } from "../types";

/**
 * Copies a parsed form body into a plain object of the user's state functions: `{}` when the
 * POST had no (form) body. Keys are defined, not assigned, so a `__proto__` field stays data.
 */
export function toInputData(body: unknown): InputData {
  const input: InputData = {};
  if (typeof body !== "object" || body === null) return input;
  for (const key of Object.keys(body)) {
    const value = (body as Record<string, unknown>)[key];
    if (typeof value !== "string" && !Array.isArray(value)) continue;
    // Plain assignment is the fast path; only `__proto__` needs defining to stay an own, data key.
    if (key === "__proto__") Object.defineProperty(input, key, { value, enumerable: true, writable: true, configurable: true });
    else input[key] = value as string | string[];
  }
  return input;
}
