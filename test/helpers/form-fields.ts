/**
 * What a state should get for these form fields: one value as a string, repeated names as an array
 * in order, every name an own data key (`__proto__` included).
 */
export function grouped(pairs: readonly (readonly [string, string])[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of pairs) {
    const previous = Object.hasOwn(out, key) ? out[key] : undefined;
    const next = previous === undefined ? value : typeof previous === "string" ? [previous, value] : [...previous, value];
    Object.defineProperty(out, key, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
