import type { NextFunction, Request, Response } from "express";
import { createCallSession, type SessionSettings } from "../sessions/call-session";
import type { CallSession, InputData, UrlFor } from "../types";
import { createUrlFor, type UrlForSettings } from "../url-for";
import { parseTwilioBody } from "./body";
import { toInputData } from "./input";

/** What a webhook handler gets: the checked request, its input, and the call's session. */
export interface WebhookContext {
  req: Request;
  /** The POST body as a plain object (`{}` for GET or an empty body). */
  input: InputData;
  urlFor: UrlFor;
  /** The call's session when `config.sessions` is on; creating it touched no store. */
  session: CallSession | undefined;
}

/** What the pipeline sends back. */
export interface WebhookAnswer {
  status: number;
  /** Omitted for 204. */
  body?: string;
  contentType?: string;
  cacheControl?: string;
}

/** The part of an endpoint that differs: everything else is the pipeline's. */
export type WebhookHandler = (context: WebhookContext) => Promise<WebhookAnswer>;

/** A handler wrapped by the pipeline, called as Express middleware would be. */
export type PipelineHandler = (req: Request, res: Response, next: NextFunction) => void;

export interface PipelineSettings {
  urlFor: UrlForSettings;
  /** True when the request was signed by Twilio; undefined when validation is off. Expects the body parsed. */
  isSigned: ((req: Request) => boolean) | undefined;
  sessions: SessionSettings | undefined;
}

export const TWIML_TYPE = "text/xml; charset=utf-8";

/**
 * The one request pipeline every endpoint the library registers goes through (state routes,
 * hold music, the status callback): parse the form body (POST) -> check the Twilio signature ->
 * the call's session (lazy) -> the handler -> its answer, or `next(err)` with the handler's error
 * exactly as thrown, so the app's error middleware sees the same object.
 */
export function createPipeline(settings: PipelineSettings): (handler: WebhookHandler) => PipelineHandler {
  const { isSigned, sessions } = settings;

  return function wrap(handler) {
    function respond(req: Request, res: Response, next: NextFunction): void {
      if (isSigned !== undefined && !isSigned(req)) {
        res.status(403).type("text/plain").send("Twilio Request Validation Failed.");
        return;
      }
      const input = toInputData(req.body);
      const context: WebhookContext = {
        req,
        input,
        urlFor: createUrlFor(req, settings.urlFor),
        session: sessions === undefined ? undefined : createCallSession(input.CallSid, sessions),
      };
      handler(context)
        .then((answer) => {
          res.status(answer.status);
          if (answer.cacheControl !== undefined) res.set("Cache-Control", answer.cacheControl);
          if (answer.body === undefined) res.end();
          else res.type(answer.contentType ?? TWIML_TYPE).send(answer.body);
        })
        // The handler's error exactly as thrown (and, never expected, a failure to send the answer).
        .catch(next);
    }

    return function twilioWebhook(req, res, next) {
      if (req.method === "POST") {
        parseTwilioBody(req, res, () => {
          respond(req, res, next);
        });
      } else {
        respond(req, res, next);
      }
    };
  };
}
