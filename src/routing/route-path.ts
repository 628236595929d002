/** Characters that make a `uri` an Express path pattern (`/calls/:id`, `/files/*rest`, `/a{/b}`) rather than a literal path. */
const PATTERN_CHARS = /[:*{}]/;

/** True when Express would treat the path as a pattern, not a literal. */
export function isPathPattern(path: string): boolean {
  return PATTERN_CHARS.test(path);
}

/**
 * The lookup key for a literal path, matching Express's defaults: case-insensitive and
 * with a trailing slash optional, so `/Incoming-Call/` finds `/incoming-call`.
 */
export function routeKey(path: string): string {
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 47 /* "/" */) end--;
  return (end === path.length ? path : path.slice(0, end)).toLowerCase();
}
