import type { RequestHandler } from "express";
import type { ResolvedHoldMusic } from "./config";
import { log } from "./logger";
import { TWIML_TYPE, type PipelineHandler, type WebhookHandler } from "./routing/pipeline";
import { routeKey } from "./routing/route-path";
import { notTwimlMessage, twimlToString } from "./twiml-result";
import type { UrlFor } from "./types";

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
 * relative to it) through the request pipeline. GET is what users should configure (Twilio
 * caches GETs); POST, Twilio's default `waitUrlMethod`, gets the same TwiML so a forgotten
 * attribute still plays music.
 */
export function createHoldMusicHandler(holdMusic: ResolvedHoldMusic, wrap: (handler: WebhookHandler) => PipelineHandler): RequestHandler {
  const endpointKey = routeKey(holdMusic.endpoint);
  const answer = wrap(async ({ urlFor }) => {
    const twiml = holdMusic.twimlFor === undefined ? defaultHoldMusicTwiml(urlFor, holdMusic.filePath) : await holdMusic.twimlFor(urlFor);
    const body = twimlToString(twiml);
    if (body === undefined) {
      const error = new Error(notTwimlMessage("config.staticFiles.holdMusic.twimlFor", twiml));
      log.error("hold music endpoint: %s", error.message);
      throw error;
    }
    return { status: 200, body, contentType: TWIML_TYPE, cacheControl: "public, max-age=31536000" };
  });

  return function holdMusicEndpoint(req, res, next) {
    if ((req.method !== "GET" && req.method !== "HEAD" && req.method !== "POST") || routeKey(req.path) !== endpointKey) {
      next();
      return;
    }
    answer(req, res, next);
  };
}
