import type { Request } from "express";
import { errorMessage } from "./error-message";
import { log } from "./logger";
// twilio's own validation, from its webhooks module alone: the package's public entry would also
// load its REST client, whose HTTP library probes the global fetch at import time, and that alone
// slowed static file serving by a quarter (issue 10).
import { validateRequest } from "twilio/lib/webhooks/webhooks.js";

/** What signature checking needs from the resolved config. */
export interface SignatureSettings {
  /** Every token a signature may be made with (rotation: current first). */
  authTokens: readonly string[];
  host: (req: Request) => string;
  scheme: ((req: Request) => string) | undefined;
}

/**
 * The URLs Twilio may have signed for this request: the public URL `urlFor` describes (first:
 * behind a TLS-terminating proxy or tunnel it is the one signed, so a genuine request costs one
 * HMAC), and the URL as Node sees it (`req.protocol`, the Host header, `req.originalUrl`). Both
 * share the path and the body, so accepting either opens no replay to another route.
 */
export function signatureCandidates(req: Request, settings: SignatureSettings): { asSeen: string; publicUrl: string | undefined } {
  const asSeen = `${req.protocol}://${req.get("host") ?? ""}${req.originalUrl}`;
  let publicUrl: string;
  try {
    publicUrl = `${settings.scheme?.(req) ?? req.protocol}://${settings.host(req)}${req.originalUrl}`;
  } catch (err) {
    log.error("urlFor.host/scheme threw while checking a signature: %s", errorMessage(err));
    return { asSeen, publicUrl: undefined };
  }
  return { asSeen, publicUrl: publicUrl === asSeen ? undefined : publicUrl };
}

/**
 * True when twilio's own `validateRequest` accepts `X-Twilio-Signature` for one of
 * {@link signatureCandidates} with any of the tokens. Expects `req.body` to be parsed already.
 */
export function isSignedByTwilio(req: Request, settings: SignatureSettings): boolean {
  const signature = req.headers["x-twilio-signature"];
  if (typeof signature !== "string" || signature === "") return false;
  const params = (req.body ?? {}) as Record<string, unknown>;
  const { asSeen, publicUrl } = signatureCandidates(req, settings);
  for (const url of publicUrl === undefined ? [asSeen] : [publicUrl, asSeen]) {
    // Current token first, so the common case costs one HMAC; each comparison is constant-time.
    for (const token of settings.authTokens) {
      try {
        if (validateRequest(token, signature, url, params)) return true;
      } catch {
        // A URL twilio cannot parse (e.g. a garbage Host header) carries no valid signature.
      }
    }
  }
  return false;
}

/** Why a signature usually fails, for the development log: never the token or the expected signature. */
function explain(req: Request, settings: SignatureSettings): string {
  const signature = req.get("x-twilio-signature");
  const { asSeen, publicUrl } = signatureCandidates(req, settings);
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
 * The signature test of the request pipeline: true when Twilio signed the request. A rejection
 * is logged by path only in production; elsewhere with the URLs checked and the usual causes.
 * Never the token, the signature or the body.
 */
export function createSignatureVerifier(settings: SignatureSettings): (req: Request) => boolean {
  return function isSigned(req) {
    if (isSignedByTwilio(req, settings)) return true;
    if (process.env.NODE_ENV === "production") log.warn("rejected %s %s: missing or invalid X-Twilio-Signature", req.method, req.originalUrl);
    else log.warn("rejected %s %s: %s", req.method, req.originalUrl, explain(req, settings));
    return false;
  };
}
