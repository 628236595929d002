import { createSecretKey, timingSafeEqual } from "node:crypto";
import type { Request } from "express";
import { errorMessage } from "./error-message";
import { log } from "./logger";
// twilio's own validation, from its webhooks module alone: the package's public entry would also
// load its REST client, whose HTTP library probes the global fetch at import time, and that alone
// slowed static file serving by a quarter (issue 10).
import { getExpectedTwilioSignature, validateRequest } from "twilio/lib/webhooks/webhooks.js";

/** What signature checking needs from the resolved config. */
export interface SignatureSettings {
  /** Every token a signature may be made with (rotation: current first). */
  authTokens: readonly string[];
  host: (req: Request) => string;
  scheme: ((req: Request) => string) | undefined;
}

/** The URL as Node sees it: `req.protocol`, the Host header, `req.originalUrl`. */
function urlAsSeen(req: Request): string {
  return `${req.protocol}://${req.get("host") ?? ""}${req.originalUrl}`;
}

/** The public URL `urlFor` describes; undefined (and logged) when `urlFor.host`/`scheme` throws. */
function publicUrlOf(req: Request, settings: SignatureSettings): string | undefined {
  try {
    return `${settings.scheme?.(req) ?? req.protocol}://${settings.host(req)}${req.originalUrl}`;
  } catch (err) {
    log.error("urlFor.host/scheme threw while checking a signature: %s", errorMessage(err));
    return undefined;
  }
}

/** Constant-time for strings of equal length (a length is no secret: every signature has the same). */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * twilio's `validateRequest` for one URL and token. The URL exactly as given is always one of the
 * URLs `validateRequest` tries (its with-port and without-port forms leave a URL that has, or has
 * not, a port unchanged), and it is the one Twilio signed in the common case: it is tried first,
 * with twilio's own `getExpectedTwilioSignature`, and only when it fails does `validateRequest`
 * try every other form. So the same signatures are accepted, and a genuine request costs one HMAC
 * without the URL splitting `validateRequest` does first.
 */
function signedFor(token: string, signature: string, url: string, params: Record<string, unknown>): boolean {
  try {
    return sameText(getExpectedTwilioSignature(token, url, params), signature) || validateRequest(token, signature, url, params);
  } catch {
    // A URL twilio cannot parse (e.g. a garbage Host header) carries no valid signature.
    return false;
  }
}

/** True when the signature is valid for `url` with one of the tokens (current first, so the common case is one HMAC). */
function signedWithAnyToken(signature: string, url: string, params: Record<string, unknown>, settings: SignatureSettings): boolean {
  for (const token of settings.authTokens) if (signedFor(token, signature, url, params)) return true;
  return false;
}

/** The URLs a failed check tried, as the explanation shows them (`publicUrl` undefined when it is `asSeen`, or urlFor threw). */
interface CheckedUrls {
  asSeen: string;
  publicUrl: string | undefined;
}

/**
 * The URLs Twilio may have signed for this request are the public URL `urlFor` describes (first:
 * behind a TLS-terminating proxy or tunnel it is the one signed, so a genuine request costs one
 * HMAC) and the URL as Node sees it (`req.protocol`, the Host header, `req.originalUrl`), built
 * only when the public one fails. Both share the path and the body, so accepting either opens no
 * replay to another route. True when twilio's own validation accepts `X-Twilio-Signature` for
 * one of them with any of the tokens; otherwise the URLs checked.
 */
function checkSignature(req: Request, settings: SignatureSettings): true | CheckedUrls {
  const header = req.headers["x-twilio-signature"];
  const signature = typeof header === "string" && header !== "" ? header : undefined;
  const params = (req.body ?? {}) as Record<string, unknown>;
  const publicUrl = publicUrlOf(req, settings);
  if (signature !== undefined && publicUrl !== undefined && signedWithAnyToken(signature, publicUrl, params, settings)) return true;
  const asSeen = urlAsSeen(req);
  if (signature !== undefined && asSeen !== publicUrl && signedWithAnyToken(signature, asSeen, params, settings)) return true;
  return { asSeen, publicUrl: publicUrl === asSeen ? undefined : publicUrl };
}

/** True when Twilio signed the request (see {@link checkSignature}). Expects `req.body` to be parsed already. */
export function isSignedByTwilio(req: Request, settings: SignatureSettings): boolean {
  return checkSignature(req, settings) === true;
}

/** Why a signature usually fails, for the development log: never the token or the expected signature. */
function explain(req: Request, { asSeen, publicUrl }: CheckedUrls): string {
  const signature = req.get("x-twilio-signature");
  const checked = [`${asSeen} (as Node saw it)`, ...(publicUrl === undefined ? [] : [`${publicUrl} (the public URL from urlFor.host/urlFor.scheme)`])];
  return (
    `${signature === undefined || signature === "" ? "no X-Twilio-Signature header" : "X-Twilio-Signature matches none of the URLs checked"}. ` +
    `Checked: ${checked.join(", ")}. Twilio signs the exact URL it called. Common causes: a proxy or tunnel in front ` +
    "(return the public host and scheme from urlFor.host and urlFor.scheme, or app.set(\"trust proxy\", ...) so req.protocol follows X-Forwarded-Proto); " +
    "a port in the URL Twilio called but not here, or the reverse; a mount path (outer.use(\"/ivr\", app)) missing from the webhook URL set in Twilio; " +
    "another body parser that read or changed the body first; the wrong auth token (another account's or subaccount's; while rotating, list the old one after the new one). " +
    "(This explanation is not logged under NODE_ENV=production.)"
  );
}

/**
 * The token as twilio's functions will be given it: a KeyObject, which they pass on to Node's
 * `createHmac` as they do the string, sparing the key's conversion on every request (a fifth of a
 * signature's cost). Used only when it gives twilio's signature for the string, checked here once;
 * otherwise (another twilio, say) the string itself.
 */
function signingKey(token: string): string {
  try {
    const key = createSecretKey(Buffer.from(token)) as unknown as string;
    const url = "https://ivr.example.com/probe?attempt=1";
    const params = { CallSid: "CA00000000000000000000000000000000", Digits: "1", SpeechResult: "é" };
    if (getExpectedTwilioSignature(key, url, params) === getExpectedTwilioSignature(token, url, params)) return key;
  } catch {
    // Falls back to the string below.
  }
  return token;
}

/**
 * The signature test of the request pipeline: true when Twilio signed the request. A rejection
 * is logged by path only in production; elsewhere with the URLs checked and the usual causes.
 * Never the token, the signature or the body.
 */
export function createSignatureVerifier(settings: SignatureSettings): (req: Request) => boolean {
  const keyed: SignatureSettings = { ...settings, authTokens: settings.authTokens.map(signingKey) };
  return function isSigned(req) {
    const checked = checkSignature(req, keyed);
    if (checked === true) return true;
    if (process.env.NODE_ENV === "production") log.warn("rejected %s %s: missing or invalid X-Twilio-Signature", req.method, req.originalUrl);
    else log.warn("rejected %s %s: %s", req.method, req.originalUrl, explain(req, checked));
    return false;
  };
}
