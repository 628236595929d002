import { createHmac, timingSafeEqual } from "node:crypto";
import { parse, stringify } from "node:querystring";

// Twilio's request signature (X-Twilio-Signature), computed here rather than through the `twilio`
// package: importing its public entry loads its REST client, whose HTTP library probes the global
// fetch at import time, and that alone slowed static file serving by a quarter (issue 10). These
// functions are proved byte-identical to `twilio`'s own getExpectedTwilioSignature and
// validateRequest by property tests (test/unit/signature.test.ts).

/** One parameter as Twilio signs it: its name, then its value; a repeated parameter's distinct values in order. */
function signedParam(name: string, value: unknown): string {
  if (Array.isArray(value)) {
    return Array.from(new Set(value as unknown[]))
      .sort()
      .map((one) => signedParam(name, one))
      .join("");
  }
  // `+`, not a template: the same string conversion as twilio's, for any value.
  // eslint-disable-next-line @typescript-eslint/restrict-plus-operands
  return name + (value as string);
}

/** The parameters' part of the signed text: every name and value, names in sorted order. Computed once per request. */
export function signedParams(params: Readonly<Record<string, unknown>>): string {
  let text = "";
  for (const name of Object.keys(params).sort()) text += signedParam(name, params[name]);
  return text;
}

/** The signature Twilio sends for a request to `url` with `params`, from the URL and {@link signedParams}. */
export function signatureFor(authToken: string, url: string, paramsText: string): string {
  return createHmac("sha1", authToken).update(Buffer.from(url + paramsText, "utf-8")).digest("base64");
}

/** Splits `scheme://authority` without normalising anything, so the rest keeps the exact characters signed. */
function splitUrl(url: string): { scheme: string; userInfo: string; host: string; port: string; rest: string } | undefined {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (match === null) return undefined;
  const [prefix, scheme = "", authority = ""] = match;
  const userInfoEnd = authority.lastIndexOf("@");
  const hostAndPort = authority.slice(userInfoEnd + 1);
  const portStart = hostAndPort.indexOf(":", hostAndPort.lastIndexOf("]") + 1);
  return {
    scheme,
    userInfo: authority.slice(0, userInfoEnd + 1),
    host: portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart === -1 ? "" : hostAndPort.slice(portStart),
    rest: url.slice(prefix.length),
  };
}

function withoutPort(url: string): string {
  const parts = splitUrl(url);
  return parts === undefined ? url : parts.scheme + parts.userInfo + parts.host + parts.rest;
}

function withPort(url: string): string {
  const parts = splitUrl(url);
  if (parts === undefined || parts.port !== "") return url;
  return parts.scheme + parts.userInfo + parts.host + (parts.scheme.toLowerCase() === "https://" ? ":443" : ":80") + parts.rest;
}

/** The query re-encoded as Node's legacy `querystring` would, for senders that signed an escaped form. */
function withLegacyQuery(url: string): string {
  const start = url.indexOf("?");
  if (start === -1 || start === url.length - 1) return url;
  return `${url.slice(0, start)}?${stringify(parse(url.slice(start + 1)))}`;
}

/** The forms of `url` as received: without and with the default port (Twilio's first two tries). */
function receivedForms(url: string): string[] {
  const bare = withoutPort(url);
  const ported = withPort(url);
  return bare === ported ? [bare] : [bare, ported];
}

/** The forms of `url` normalised (WHATWG URL), without and with the port, and those with the query re-encoded; none when it does not parse. */
function normalizedForms(url: string): string[] {
  let normalized: string;
  try {
    normalized = new URL(url).toString();
  } catch {
    return [];
  }
  const bare = withoutPort(normalized);
  const ported = withPort(normalized);
  return [bare, ported, withLegacyQuery(bare), withLegacyQuery(ported)];
}

/**
 * Every form of `url` a valid signature may have been made for, in the order Twilio's own
 * validateRequest tries them: as received without and with the default port, then normalised
 * without and with the port, and those with the query re-encoded. Duplicates removed.
 */
export function signedUrlForms(url: string): string[] {
  return [...new Set([...receivedForms(url), ...normalizedForms(url)])];
}

/** Constant-time comparison of a header with an expected signature. */
function sameSignature(header: Buffer, expected: string): boolean {
  const wanted = Buffer.from(expected);
  return header.length === wanted.length && timingSafeEqual(header, wanted);
}

/**
 * True when `header` is Twilio's signature, with any of `authTokens`, of a request to any form of
 * any of `urls` (see {@link signedUrlForms}) with the parameters behind `paramsText`. Every
 * comparison is constant-time. The URL as received is tried first, and normalised only when that
 * fails: a genuine request costs one HMAC.
 */
export function matchesSignature(header: string, authTokens: readonly string[], urls: readonly string[], paramsText: string): boolean {
  if (header === "") return false;
  const given = Buffer.from(header);
  const tried = new Set<string>();
  const anyMatches = (forms: readonly string[]): boolean => {
    for (const form of forms) {
      if (tried.has(form)) continue;
      tried.add(form);
      for (const token of authTokens) if (sameSignature(given, signatureFor(token, form, paramsText))) return true;
    }
    return false;
  };
  for (const url of urls) if (anyMatches(receivedForms(url))) return true;
  for (const url of urls) if (anyMatches(normalizedForms(url))) return true;
  return false;
}
