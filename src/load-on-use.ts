/**
 * A dependency loaded on its first use instead of at start-up. Menus need twilio's TwiML builder
 * (some 30 files and 30 ms to load) and, for prompts written as TwiML, an XML parser (13 ms): an
 * app without menus never loads them.
 *
 * `load` calls `require`: Node's own in the CommonJS build and under Jest; the ES module build
 * defines one with `createRequire` in a banner (see tsup.config.ts).
 */
export function loadOnUse<T>(load: () => T): () => T {
  let loaded: { value: T } | undefined;
  return () => (loaded ??= { value: load() }).value;
}
