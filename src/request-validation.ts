import type { Request } from "express";
import twilio from "twilio";
import { errorMessage } from "./error-message";
import { log } from "./logger";

/** What signature checking needs from the resolved config. */
export interface SignatureSettings {
  authToken: string;
  host: (req: Request) => string;
  scheme: ((req: Request) => string) | undefined;
}

function matches(settings: SignatureSettings, signature: string, url: string, params: Record<string, unknown>): boolean {
  try {
    return twilio.validateRequest(settings.authToken, signature, url, params);
  } catch {
    // An unparseable URL (e.g. a garbage Host header) cannot carry a valid signature.
    return false;
  }
}

/**
 * True when `X-Twilio-Signature` matches the request as Node sees it, or as the public URL
 * `urlFor` describes (TLS-terminating proxies and tunnels change protocol and Host).
 * Both candidates use the same path and body, so accepting either opens no replay to another route.
 * Expects `req.body` to be parsed already.
 */
export function isSignedByTwilio(req: Request, settings: SignatureSettings): boolean {
  const signature = req.get("x-twilio-signature");
  if (signature === undefined || signature === "") return false;
  const params = (req.body ?? {}) as Record<string, unknown>;
  const asSeen = `${req.protocol}://${req.get("host") ?? ""}${req.originalUrl}`;
  if (matches(settings, signature, asSeen, params)) return true;

  let publicUrl: string;
  try {
    publicUrl = `${settings.scheme?.(req) ?? req.protocol}://${settings.host(req)}${req.originalUrl}`;
  } catch (err) {
    log.error("urlFor.host/scheme threw while checking a signature: %s", errorMessage(err));
    return false;
  }
  return publicUrl !== asSeen && matches(settings, signature, publicUrl, params);
}

/**
 * The signature test of the request pipeline: true when Twilio signed the request. A rejection
 * is logged by path only: never the token, the signature or the body.
 */
export function createSignatureVerifier(settings: SignatureSettings): (req: Request) => boolean {
  return function isSigned(req) {
    if (isSignedByTwilio(req, settings)) return true;
    log.warn("rejected %s %s: missing or invalid X-Twilio-Signature", req.method, req.originalUrl);
    return false;
  };
}
