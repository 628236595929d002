import type { NextFunction, Request, Response } from "express";
import type { Config } from "../types";
import { StateError } from "../errors";
import { errorMessage } from "../error-message";
import { log } from "../logger";
import { createCallSession, type SessionSettings } from "../sessions/call-session";
import { notTwimlMessage, twimlToString } from "../twiml-result";
import type { CallSession, InputData, UrlFor } from "../types";
import { createUrlFor, type UrlForSettings } from "../url-for";
import { parseTwilioBody } from "./body";
import type { FormFields } from "./form-parse";
import { toInputData } from "./input";
import { RequestProgress } from "./progress";
import { asksForTrace, encodeTrace, TRACE_HEADER } from "../trace";
import { isThenable, type MaybePromise } from "./steps";

/** What a webhook handler gets: the checked request, its input, and the call's session. */
export interface WebhookContext {
  req: Request;
  /** The POST body as a plain object (`{}` for GET or an empty body). */
  input: InputData;
  urlFor: UrlFor;
  /** The call's session when `config.sessions` is on; creating it touched no store. */
  session: CallSession | undefined;
  progress: RequestProgress;
}

/** What the pipeline sends back. */
export interface WebhookAnswer {
  status: number;
  /** Omitted for 204. */
  body?: string;
  contentType?: string;
  cacheControl?: string;
}

/**
 * The part of an endpoint that differs: everything else is the pipeline's. It may answer
 * synchronously (no promise, no timer: the cheap path most states take) or with a promise.
 */
export type WebhookHandler = (context: WebhookContext) => MaybePromise<WebhookAnswer>;

/** A handler wrapped by the pipeline, called as Express middleware would be. */
export type PipelineHandler = (req: Request, res: Response, next: NextFunction) => void;

/** How an endpoint answers besides its handler. */
export interface EndpointOptions {
  /** Its answers are TwiML, so `config.onError` may answer in its place. Default true. */
  answersTwiml?: boolean;
}

export interface PipelineSettings {
  urlFor: UrlForSettings;
  /** True when the request was signed by Twilio; undefined when validation is off. Expects the body parsed. */
  isSigned: ((req: Request) => boolean) | undefined;
  sessions: SessionSettings | undefined;
  /** Bound on a request's handler (the user's state functions and the session store). */
  timeoutMs: number;
  onError: Config["onError"];
  /** `config.trace`: every answer lists the request's states in a header (else only for the testing kit in this process). */
  trace: boolean;
}

export const TWIML_TYPE = "text/xml; charset=utf-8";

/**
 * The one bound of the pipeline: calls `settled` exactly once, with the outcome of `work` or, after
 * `ms`, with `timeoutError()` as a failure, whichever comes first. A late outcome is dropped, never
 * unhandled; a foreign thenable is adopted as `await` would. One timer and two callbacks.
 */
function settleWithin(work: PromiseLike<unknown>, ms: number, timeoutError: () => unknown, settled: (failed: boolean, value: unknown) => void): void {
  let done = false;
  const timer = setTimeout(() => {
    if (done) return;
    done = true;
    settled(true, timeoutError());
  }, ms);
  Promise.resolve(work).then(
    (value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      settled(false, value);
    },
    (err: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      settled(true, err);
    },
  );
}

/** {@link settleWithin} as a promise: settles with `work`, or rejects with `onTimeout()` after `ms`. */
function within<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    settleWithin(work, ms, onTimeout, (failed, value) => {
      // The user's own rejection value passes through untouched, Error or not.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      if (failed) reject(value);
      else resolve(value as T);
    });
  });
}

/**
 * Express treats a falsy `next(err)` as "no error" and would answer 404: a state function that
 * rejects with `undefined` (or `null`, `0`, `NaN`, `0n`, `""`, `false`) gets an error that says so instead.
 */
function asError(err: unknown, progress: RequestProgress): unknown {
  if (err) return err;
  const where = progress.stateName === undefined ? "the request" : `${progress.step ?? "a function"} of state "${progress.stateName}"`;
  return new StateError("ERR_IVR_EMPTY_REJECTION", progress.stateName ?? "unnamed state", `${where} rejected with ${typeof err === "bigint" ? "0n" : String(err) || '""'}, not an error`);
}

/**
 * The one request pipeline every endpoint the library registers goes through (state routes,
 * hold music, the status callback): parse the form body (POST) -> check the Twilio signature ->
 * the call's session (lazy) -> the handler, within `timeoutMs` -> its answer. On failure: the
 * TwiML of `config.onError` when there is one, else `next(err)` with the handler's error exactly
 * as thrown, so the app's error middleware sees the same object.
 */
export function createPipeline(settings: PipelineSettings): (handler: WebhookHandler, options?: EndpointOptions) => PipelineHandler {
  const { isSigned, sessions, timeoutMs, onError, trace } = settings;

  /**
   * Writes the answer straight to Node's response: Express's `res.send` would also hash the body
   * for an ETag, which a POST answer never uses, and cost a quarter of a request's time.
   */
  function send(res: Response, answer: WebhookAnswer): void {
    res.statusCode = answer.status;
    if (answer.cacheControl !== undefined) res.setHeader("Cache-Control", answer.cacheControl);
    if (answer.body === undefined) {
      res.end();
      return;
    }
    res.setHeader("Content-Type", answer.contentType ?? TWIML_TYPE);
    res.setHeader("Content-Length", Buffer.byteLength(answer.body));
    res.end(answer.body);
  }

  /** `config.onError`'s TwiML for the failure, or undefined when it has none to give (then `next(err)`). */
  async function errorAnswer(err: unknown, context: WebhookContext): Promise<WebhookAnswer | undefined> {
    if (onError === undefined) return undefined;
    try {
      const twiml = await within(
        Promise.resolve().then(() => onError(err, { stateName: context.progress.stateName, urlFor: context.urlFor, input: context.input, req: context.req })),
        timeoutMs,
        () => new Error(`config.onError did not answer within ${timeoutMs} ms`),
      );
      const body = twimlToString(twiml);
      if (body !== undefined) return { status: 200, body, contentType: TWIML_TYPE };
      log.error("%s", notTwimlMessage("config.onError", twiml));
    } catch (failure) {
      log.error("config.onError failed, so the error goes to next(err): %s", context.progress.redact(errorMessage(failure)));
    }
    return undefined;
  }

  return function wrap(handler, options = {}) {
    const answersTwiml = options.answersTwiml ?? true;

    /** Adds the trace header when this request asked for one (or `config.trace` is on). */
    function addTrace(context: WebhookContext, res: Response): void {
      if ((trace || asksForTrace(context.req.headers)) && !res.headersSent) res.set(TRACE_HEADER, encodeTrace(context.progress.steps()));
    }

    function answer(context: WebhookContext, res: Response, next: NextFunction, reply: WebhookAnswer): void {
      addTrace(context, res);
      try {
        send(res, reply);
      } catch (err) {
        next(err); // never expected (sending failed after headers went out): Express's final handler logs it
      }
    }

    function fail(context: WebhookContext, res: Response, next: NextFunction, thrown: unknown): void {
      // The trace is set first, so that the error middleware's answer carries it too.
      addTrace(context, res);
      const err = context.progress.scrub(asError(thrown, context.progress));
      if (!answersTwiml || res.headersSent || onError === undefined) {
        next(err);
        return;
      }
      errorAnswer(err, context).then(
        (reply) => {
          if (reply === undefined) next(err);
          else answer(context, res, next, reply);
        },
        () => {
          next(err); // errorAnswer never rejects; kept so that nothing is left unhandled
        },
      );
    }

    /** Waits for an asynchronous answer within `timeoutMs` (config.timeoutMs); what comes later is dropped. */
    function awaitAnswer(context: WebhookContext, res: Response, next: NextFunction, work: PromiseLike<WebhookAnswer>): void {
      const timedOut = (): StateError => {
        const { stateName, step } = context.progress;
        const where = stateName === undefined ? `${context.req.method} ${context.req.path}` : `${step ?? "a function"} of state "${stateName}"`;
        const error = new StateError("ERR_IVR_TIMEOUT", stateName ?? "unnamed state", `${where} did not finish within ${timeoutMs} ms (config.timeoutMs); its late result will be dropped`);
        log.error("%s", error.message);
        return error;
      };
      settleWithin(work, timeoutMs, timedOut, (failed, value) => {
        if (failed) fail(context, res, next, value);
        else answer(context, res, next, value as WebhookAnswer);
      });
    }

    function respond(req: Request, res: Response, next: NextFunction, fields: FormFields | undefined): void {
      if (isSigned !== undefined && !isSigned(req)) {
        res.status(403).type("text/plain").send("Twilio Request Validation Failed.");
        return;
      }
      // A form the pipeline parsed is already the plain object states get: no copy.
      const input: InputData = fields ?? toInputData(req.body);
      const context: WebhookContext = {
        req,
        input,
        urlFor: createUrlFor(req, settings.urlFor),
        session: sessions === undefined ? undefined : createCallSession(input.CallSid, sessions),
        progress: new RequestProgress(input),
      };
      let reply: MaybePromise<WebhookAnswer>;
      try {
        reply = handler(context);
      } catch (err) {
        // Thrown while running synchronously: the same error path as a rejection, with the error as thrown.
        fail(context, res, next, err);
        return;
      }
      // A synchronous answer needs no bound: it is already here.
      if (isThenable(reply)) awaitAnswer(context, res, next, reply);
      else answer(context, res, next, reply);
    }

    return function twilioWebhook(req, res, next) {
      if (req.method === "POST") {
        parseTwilioBody(req, res, (err, fields) => {
          if (err === undefined) respond(req, res, next, fields);
          else next(err);
        });
      } else {
        respond(req, res, next, undefined);
      }
    };
  };
}
