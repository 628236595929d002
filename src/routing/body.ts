import { isUtf8 } from "node:buffer";
import type { Request, RequestHandler } from "express";
import bodyParser from "body-parser";
import { log } from "../logger";

// Twilio posts small form bodies; 100kb is ample and bounds memory per request.
const BODY_LIMIT = "100kb";
const BODY_LIMIT_BYTES = 100 * 1024;
/** More `&`-separated fields than this is answered 413, as body-parser's `parameterLimit` did. */
export const PARAMETER_LIMIT = 1000;

/** Reads the bytes (inflating gzip/deflate/br, enforcing the size limit); the form itself is parsed below. */
const readForm = bodyParser.raw({ type: "application/x-www-form-urlencoded", limit: BODY_LIMIT });

/**
 * A parsed form: repeated names become arrays in order. A plain object, the very one states get
 * as their input (no copy per request); every name is an own data key, `__proto__` included.
 */
export type FormFields = Record<string, string | string[]>;

/** Adds one field, defining rather than assigning names the prototype has (`__proto__`, `toString`). */
function addField(fields: FormFields, name: string, value: string): void {
  if (!Object.hasOwn(fields, name)) {
    if (name in fields) Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
    else fields[name] = value;
    return;
  }
  const previous = fields[name] as string | string[];
  if (typeof previous === "string") fields[name] = [previous, value];
  else previous.push(value);
}

/** Why a body was refused; `status` is what the client gets. */
export class FormBodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = "FormBodyError";
  }
}

const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const PERCENT = 0x25;
const PLUS = 0x2b;
const SPACE = 0x20;

/** Value of an ASCII hex digit, or -1. A table lookup: no branches per digit kind. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}

/** Value of the hex digit `byte`, or -1 (also for no byte at all). */
function hexValue(byte: number | undefined): number {
  return byte === undefined ? -1 : (HEX[byte] ?? -1);
}

function tooManyFields(limit: number): FormBodyError {
  return new FormBodyError(413, `more than ${limit} parameters`);
}

/**
 * Parses an `application/x-www-form-urlencoded` body the way the WHATWG URL standard does
 * (and `URLSearchParams`): fields split on `&` (empty ones skipped), name and value split on the
 * first `=`, `+` is a space, `%XX` a byte. Unlike the standard (and `querystring`/`qs`), which keep
 * a bad escape as literal text or put U+FFFD in place of bad bytes, it refuses them:
 * - a `%` not followed by two hex digits, or
 * - (utf-8) a name or value whose bytes are not valid UTF-8 (overlong forms like `%C0%AE`,
 *   surrogates, truncated sequences like `%E0%A4%A`...).
 * Twilio always sends well-formed UTF-8, so such a body is not Twilio's: handing the state text
 * that differs from what was sent (raw `%E0%A4%A`, or `\uFFFD`) would be worse than refusing it.
 *
 * One scan over the bytes (no regular expressions) finds the fields and checks every `%`; a name or
 * value without escapes is then a slice of the body, one with escapes goes through the engine's
 * `decodeURIComponent` once (which, its escapes being checked, throws only for bytes that are not UTF-8).
 * @throws FormBodyError 400 for a malformed body, 413 for more than `parameterLimit` fields
 *   (counted like body-parser: every `&` starts one, empty ones included).
 */
export function parseFormBody(bytes: Buffer, charset: "utf-8" | "iso-8859-1" = "utf-8", parameterLimit = PARAMETER_LIMIT): FormFields {
  const fields: FormFields = {};
  const utf8 = charset === "utf-8";
  const end = bytes.length;
  let i = 0;
  // A UTF-8 byte order mark is not part of the first name (body-parser's decoder dropped it too).
  if (utf8 && end >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  // One native conversion; a part without escapes is then a cheap slice of it (no call into Node per part).
  const raw = bytes.toString("latin1");

  // Loop state stays in locals (no closure captures them): this loop is the cost of parsing.
  let fieldCount = 1;
  let fieldStart = i; // where the current field starts
  let equals = -1; // where its first `=` is, once seen
  let nameFlags = 0;
  let flags = 0; // ESCAPED | PLUSES | RAW_HIGH seen in the part being scanned
  let fault: string | undefined;

  for (; i <= end; i++) {
    const byte = i === end ? AMPERSAND : (bytes[i] ?? 0);
    if (byte === AMPERSAND) {
      if (i !== fieldStart) {
        // (an empty field, `&&` or a trailing `&`, is skipped)
        const nameEnd = equals === -1 ? i : equals;
        const name = partText(bytes, raw, fieldStart, nameEnd, equals === -1 ? flags : nameFlags, utf8);
        const value = equals === -1 ? "" : partText(bytes, raw, equals + 1, i, flags, utf8);
        if (name === undefined || value === undefined) {
          fault = "a name or value is not valid UTF-8";
          break;
        }
        addField(fields, name, value);
      }
      if (i < end && ++fieldCount > parameterLimit) throw tooManyFields(parameterLimit);
      fieldStart = i + 1;
      equals = -1;
      flags = 0;
    } else if (byte === EQUALS) {
      if (equals === -1) {
        equals = i;
        nameFlags = flags;
        flags = 0;
      }
    } else if (byte === PERCENT) {
      if (i + 2 >= end || hexValue(bytes[i + 1]) === -1 || hexValue(bytes[i + 2]) === -1) {
        fault = `"%" not followed by two hex digits at byte ${i}`;
        break;
      }
      flags |= ESCAPED;
      i += 2;
    } else if (byte === PLUS) {
      flags |= PLUSES;
    } else if (byte >= 0x80) {
      flags |= RAW_HIGH;
    }
  }
  if (fault === undefined) return fields;
  // Too many fields outranks malformed: count the rest, so the answer does not depend on where the fault is.
  for (let at = bytes.indexOf(AMPERSAND, i); at !== -1 && fieldCount <= parameterLimit; at = bytes.indexOf(AMPERSAND, at + 1)) fieldCount++;
  throw fieldCount > parameterLimit ? tooManyFields(parameterLimit) : new FormBodyError(400, fault);
}

const ESCAPED = 1;
const PLUSES = 2;
const RAW_HIGH = 4;

/**
 * The text of `bytes[from, to)`, whose escapes are known to be well-formed; undefined when
 * (utf-8) the decoded bytes are not valid UTF-8.
 */
function partText(bytes: Buffer, raw: string, from: number, to: number, flags: number, utf8: boolean): string | undefined {
  if (flags === 0) return raw.slice(from, to);
  const text = (flags & PLUSES) === 0 ? raw.slice(from, to) : raw.slice(from, to).replaceAll("+", " ");
  if (flags === ESCAPED || flags === (ESCAPED | PLUSES)) {
    if (!utf8) return unescapeLatin1(text);
    try {
      // The escapes are well-formed, so this throws only for bytes that are not UTF-8.
      return decodeURIComponent(text);
    } catch {
      return undefined;
    }
  }
  if (flags === PLUSES) return text;
  // Raw (unescaped) bytes >= 0x80: rare (Twilio escapes them); decode byte by byte.
  if (!utf8) return unescapeLatin1(text);
  const out = Buffer.allocUnsafe(to - from);
  let n = 0;
  for (let i = from; i < to; i++) {
    const byte = bytes[i] ?? 0;
    if (byte === PERCENT) {
      out[n++] = (hexValue(bytes[i + 1]) << 4) | hexValue(bytes[i + 2]);
      i += 2;
    } else {
      out[n++] = byte === PLUS ? SPACE : byte;
    }
  }
  return isUtf8(out.subarray(0, n)) ? out.toString("utf8", 0, n) : undefined;
}

/** iso-8859-1: every `%XX` is the character XX. */
function unescapeLatin1(text: string): string {
  let result = "";
  let from = 0;
  for (let at = text.indexOf("%"); at !== -1; at = text.indexOf("%", from)) {
    result += text.slice(from, at) + String.fromCharCode(parseInt(text.slice(at + 1, at + 3), 16));
    from = at + 3;
  }
  return result + text.slice(from);
}

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
