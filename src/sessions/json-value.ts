import { SessionError } from "../errors";
import type { JsonValue } from "../types";

/**
 * Why `value` would not survive a JSON round trip unchanged, or undefined when it would.
 * Rejected: `undefined`, functions, symbols, bigints, NaN/Infinity, cycles, and objects that are
 * not plain (Date, Map, class instances): JSON would drop or silently change them.
 */
export function jsonProblem(value: unknown, path: string, seen: Set<object> = new Set()): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : `${path} is ${String(value)}, which JSON cannot hold`;
    case "undefined":
      return `${path} is undefined, which JSON cannot hold (delete the key instead)`;
    case "bigint":
    case "symbol":
    case "function":
      return `${path} is a ${typeof value}, which JSON cannot hold`;
    case "object":
      break;
  }
  if (value === null) return undefined;
  const object = value;
  if (seen.has(object)) return `${path} refers back to itself (a cycle), which JSON cannot hold`;
  if (Array.isArray(object)) {
    seen.add(object);
    for (let i = 0; i < object.length; i++) {
      const problem = jsonProblem(object[i], `${path}[${i}]`, seen);
      if (problem !== undefined) return problem;
    }
    seen.delete(object);
    return undefined;
  }
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) {
    const kind = (object as { constructor?: { name?: string } }).constructor?.name ?? "object";
    return `${path} is a ${kind}, not a plain object; JSON would change it (store e.g. a string or a plain object instead)`;
  }
  seen.add(object);
  for (const [key, item] of Object.entries(object)) {
    const problem = jsonProblem(item, `${path}.${key}`, seen);
    if (problem !== undefined) return problem;
  }
  seen.delete(object);
  return undefined;
}

/** Decodes a stored field. A field that is not JSON was written by something else: an error, not a silent loss. */
export function decodeField(text: string, key: string, callSid: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new SessionError("ERR_IVR_SESSION_CORRUPT", callSid, `session of call ${callSid}: the stored field ${JSON.stringify(key)} is not JSON`);
  }
}
