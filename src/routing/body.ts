import type { Request, RequestHandler } from "express";
import bodyParser from "body-parser";
import { log } from "../logger";
import { FormBodyError, parseFormBody, type FormFields } from "./form-parse";

// Twilio posts small form bodies; 100 kB is ample and bounds memory per request.
const BODY_LIMIT_BYTES = 100 * 1024;

/** Reads the bytes of a compressed form (inflating gzip/deflate/br, enforcing the size limit); form-parse.ts parses them. */
const readForm = bodyParser.raw({ type: "application/x-www-form-urlencoded", limit: BODY_LIMIT_BYTES });

/** The `charset` parameter of the Content-Type, lower-cased; utf-8 when absent. */
function charsetOf(req: Request): string {
  const header = req.headers["content-type"] ?? "";
  let at = header.indexOf(";");
  while (at !== -1) {
    const next = header.indexOf(";", at + 1);
    const param = header.slice(at + 1, next === -1 ? undefined : next);
    const eq = param.indexOf("=");
    if (eq !== -1 && param.slice(0, eq).trim().toLowerCase() === "charset") {
      let value = param.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      return value.toLowerCase();
    }
    at = next;
  }
  return "utf-8";
}

const ANSWERS: Record<number, string> = {
  400: "Malformed request body.",
  413: "Request body too large.",
  415: "Unsupported request body encoding.",
};

function reject(req: Request, res: Parameters<RequestHandler>[1], status: number, reason: string): void {
  const code = status >= 400 && status < 500 ? status : 400;
  // The path and the reason only: never the body, which may hold a caller's digits.
  log.warn("rejected %s %s: unreadable body (%d: %s)", req.method, req.originalUrl, code, reason);
  res.status(code).type("text/plain").send(ANSWERS[code] ?? ANSWERS[400]);
}

/** True for a Content-Type of `application/x-www-form-urlencoded`, parameters aside (as type-is matches it). */
function isFormType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const semicolon = header.indexOf(";");
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase() === "application/x-www-form-urlencoded";
}

/**
 * What the body reader calls once it is done (and not answered the request itself): `err` only for
 * a fault of the library's own, never the caller's; `fields` when it parsed a form into `req.body`
 * (undefined when the body was of another type, absent, or read by an outer app).
 */
export type BodyDone = (err: unknown, fields: FormFields | undefined) => void;

/** Parses the bytes read into `req.body`, or answers the request when they are not a form Twilio could send. */
function finish(req: Request, res: Parameters<RequestHandler>[1], done: BodyDone, bytes: Buffer): void {
  const charset = charsetOf(req);
  if (charset !== "utf-8" && charset !== "iso-8859-1") {
    req.body = undefined;
    reject(req, res, 415, `unsupported charset ${JSON.stringify(charset)}`);
    return;
  }
  let fields: FormFields;
  try {
    fields = parseFormBody(bytes, charset);
  } catch (parseError) {
    req.body = undefined;
    if (!(parseError instanceof FormBodyError)) {
      done(parseError, undefined); // never expected: a bug here, not the caller's fault
      return;
    }
    reject(req, res, parseError.status, parseError.message);
    return;
  }
  req.body = fields;
  done(undefined, fields);
}

/**
 * Reads an uncompressed form body straight off the request: what Twilio sends, every time. It
 * does what body-parser's raw reader would (the size limit, a Content-Length that must match)
 * without its general machinery, which cost about a tenth of a request's time.
 */
function readPlainForm(req: Request, res: Parameters<RequestHandler>[1], done: BodyDone): void {
  const declared = req.headers["content-length"];
  const expected = declared === undefined ? undefined : Number(declared);
  if (expected !== undefined && expected > BODY_LIMIT_BYTES) {
    reject(req, res, 413, "entity.too.large");
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // Once set, later events are ignored. The listeners stay: the request ends with them anyway.
  let stopped = false;
  const onData = (chunk: Buffer): void => {
    if (stopped) return;
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) {
      stopped = true;
      // Answered now; the rest of the body is discarded by Node when the response ends.
      req.resume();
      reject(req, res, 413, "entity.too.large");
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = (): void => {
    if (stopped) return;
    stopped = true;
    if (expected !== undefined && size !== expected) {
      reject(req, res, 400, "request.size.invalid");
      return;
    }
    (req as Request & { _body?: boolean })._body = true;
    finish(req, res, done, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
  };
  const onError = (): void => {
    if (stopped) return;
    stopped = true;
    // The client went away or sent a broken stream: nobody is left to answer.
    if (!res.headersSent && !req.destroyed) reject(req, res, 400, "request.aborted");
  };
  req.on("data", onData);
  req.on("end", onEnd);
  req.on("error", onError);
}

/**
 * Parses Twilio's `application/x-www-form-urlencoded` POST body into `req.body` (see
 * {@link parseFormBody}). A malformed (400), oversized or too-many-fields (413) or unsupported
 * (415) body is answered here: it is the caller's fault, never a 500, and nothing after this
 * (signature check, sessions, state code) runs for it. A body of another type, or one an outer
 * app already parsed, is left as it is. An uncompressed form (Twilio's) is read directly; a
 * compressed one goes through body-parser, which inflates it.
 */
export function parseTwilioBody(req: Request, res: Parameters<RequestHandler>[1], done: BodyDone): void {
  const alreadyRead = (req as Request & { _body?: boolean })._body === true;
  const encoding = req.headers["content-encoding"];
  if (!alreadyRead && isFormType(req.headers["content-type"]) && (encoding === undefined || encoding.toLowerCase() === "identity")) {
    readPlainForm(req, res, done);
    return;
  }
  const before: unknown = req.body;
  readForm(req, res, (err?: unknown) => {
    if (err !== undefined && err !== null) {
      const status = (err as { status?: unknown }).status;
      const type = (err as { type?: unknown }).type;
      reject(req, res, typeof status === "number" ? status : 400, typeof type === "string" ? type : "unreadable");
      return;
    }
    const bytes: unknown = req.body;
    if (bytes === before || !Buffer.isBuffer(bytes)) {
      done(undefined, undefined);
      return;
    }
    finish(req, res, done, bytes);
  });
}
