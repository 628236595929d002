import type { RequestHandler } from "express";
import type { ResolvedHoldMusic } from "./config";
import { log } from "./logger";
import { parseTwilioBody } from "./routing/body";
import { notTwimlMessage, twimlToString } from "./twiml-result";
import { routeKey } from "./routing/route-path";
import type { UrlFor } from "./types";
import { createUrlFor, type UrlForSettings } from "./url-for";

/** Twilio reads the loop count as "play up to N times"; 1000 is effectively forever for a hold. */
const HOLD_LOOPS = 1000;

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The default hold-music TwiML: loop the fingerprinted music file by its absolute URL. */
export function defaultHoldMusicTwiml(urlFor: UrlFor, filePath: string): string {
  const fileUrl = urlFor(filePath, { absolute: true });
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Play loop="${HOLD_LOOPS}">${escapeXml(fileUrl)}</Play></Response>`;
}

/**
 * Answers the hold-music endpoint (mounted under the static mount path, so it sees `req.path`
 * relative to it). GET is what users should configure (Twilio caches GETs); POST, Twilio's
 * default `waitUrlMethod`, gets the same TwiML so a forgotten attribute still plays music.
 */
export function createHoldMusicHandler(
  holdMusic: ResolvedHoldMusic,
  urlForSettings: UrlForSettings,
  signatureCheck: RequestHandler | undefined,
): RequestHandler {
  const endpointKey = routeKey(holdMusic.endpoint);

  return function holdMusicEndpoint(req, res, next) {
    if ((req.method !== "GET" && req.method !== "HEAD" && req.method !== "POST") || routeKey(req.path) !== endpointKey) {
      next();
      return;
    }
    const respond = (): void => {
      const urlFor = createUrlFor(req, urlForSettings);
      Promise.resolve()
        .then(() => (holdMusic.twimlFor === undefined ? defaultHoldMusicTwiml(urlFor, holdMusic.filePath) : holdMusic.twimlFor(urlFor)))
        .then((twiml) => {
          const body = twimlToString(twiml);
          if (body === undefined) throw new Error(notTwimlMessage("config.staticFiles.holdMusic.twimlFor", twiml));
          res.status(200).set("Cache-Control", "public, max-age=31536000").type("text/xml; charset=utf-8").send(body);
        })
        .catch((err: unknown) => {
          log.error("hold music endpoint %s failed: %s", req.originalUrl, err instanceof Error ? err.message : String(err));
          next(err);
        });
    };
    const checkThenRespond = (): void => {
      if (signatureCheck === undefined) respond();
      else signatureCheck(req, res, respond);
    };
    if (req.method === "POST") parseTwilioBody(req, res, checkThenRespond);
    else checkThenRespond();
  };
}
