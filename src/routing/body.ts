import type { RequestHandler } from "express";
import bodyParser from "body-parser";
import { log } from "../logger";

// Twilio posts small form bodies; 100kb is ample and bounds memory per request.
const parseForm = bodyParser.urlencoded({ extended: false, limit: "100kb", parameterLimit: 1000 });

/**
 * Parses Twilio's `application/x-www-form-urlencoded` POST body. A malformed or oversized body
 * is answered here with its 4xx status: it is the caller's fault, never a 500.
 */
export const parseTwilioBody: RequestHandler = function parseTwilioBody(req, res, next) {
  parseForm(req, res, (err?: unknown) => {
    if (err === undefined || err === null) {
      next();
      return;
    }
    const status = (err as { status?: unknown }).status;
    const code = typeof status === "number" && status >= 400 && status < 500 ? status : 400;
    log.warn("rejected %s %s: unreadable body (%d)", req.method, req.originalUrl, code);
    res.status(code).type("text/plain").send(code === 413 ? "Request body too large." : "Malformed request body.");
  });
};
