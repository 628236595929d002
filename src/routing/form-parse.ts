import { isAscii, isUtf8 } from "node:buffer";
import { knownNameAt, knownNameIndex } from "./field-names";
import { fieldsOfKnownShape, nextShapeKey } from "./form-shapes";

/** More `&`-separated fields than this is answered 413, as body-parser's `parameterLimit` did. */
const PARAMETER_LIMIT = 1000;

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
 * @throws FormBodyError 400 for a malformed body, 413 for more than PARAMETER_LIMIT (1000) fields
 *   (counted like body-parser: every `&` starts one, empty ones included).
 */
export function parseFormBody(bytes: Buffer, charset: "utf-8" | "iso-8859-1" = "utf-8"): FormFields {
  if (charset === "utf-8" && isAscii(bytes)) {
    const fields = parseAsciiForm(bytes.toString("latin1"), PARAMETER_LIMIT);
    if (fields !== undefined) return fields;
  }
  return scanForm(bytes, charset, PARAMETER_LIMIT);
}

/**
 * The common case, Twilio's own: an ASCII body in UTF-8, split with the engine's native string
 * searches instead of a loop over bytes. A name Twilio sends is taken from the table of known
 * names rather than sliced off the body, and a form of known names only is built by copying a
 * template of its shape (see form-shapes.ts). Gives the same fields as {@link scanForm}, or
 * undefined when a part does not decode: then the scan decides exactly what is wrong (a bad
 * escape or bytes that are not UTF-8) and answers for it.
 * @throws FormBodyError 413 for more than `parameterLimit` fields, as the scan does.
 */
function parseAsciiForm(raw: string, parameterLimit: number): FormFields | undefined {
  const names: string[] = [];
  const values: string[] = [];
  let allKnown = true;
  let shapeKey = 0;
  const end = raw.length;
  // The next `%`, `+` and `=` at or after the part being read (-1: none left); the search for
  // each moves forward only, so every byte is looked at once per kind.
  let percent = raw.indexOf("%");
  let plus = raw.indexOf("+");
  let equals = raw.indexOf("=");
  let fieldCount = 1;
  for (let start = 0; ; ) {
    let amp = raw.indexOf("&", start);
    if (amp === -1) amp = end;
    if (amp > start) {
      if (equals !== -1 && equals < start) equals = raw.indexOf("=", start);
      const nameEnd = equals !== -1 && equals < amp ? equals : amp;
      if (percent !== -1 && percent < start) percent = raw.indexOf("%", start);
      if (plus !== -1 && plus < start) plus = raw.indexOf("+", start);
      const plain = (percent === -1 || percent >= nameEnd) && (plus === -1 || plus >= nameEnd);
      const known = plain ? knownNameIndex(raw, start, nameEnd) : -1;
      let name: string | undefined;
      if (known === -1) {
        allKnown = false;
        name = asciiPart(raw, start, nameEnd, percent, plus);
      } else {
        name = knownNameAt(known);
        shapeKey = nextShapeKey(shapeKey, known);
      }
      let value: string | undefined = "";
      if (nameEnd < amp) {
        if (percent !== -1 && percent <= nameEnd) percent = raw.indexOf("%", nameEnd + 1);
        if (plus !== -1 && plus <= nameEnd) plus = raw.indexOf("+", nameEnd + 1);
        value = asciiPart(raw, nameEnd + 1, amp, percent, plus);
      }
      if (name === undefined || value === undefined) return undefined;
      names.push(name);
      values.push(value);
    }
    if (amp >= end) break;
    if (++fieldCount > parameterLimit) throw tooManyFields(parameterLimit);
    start = amp + 1;
  }
  return (allKnown ? fieldsOfKnownShape(shapeKey, names, values) : undefined) ?? fieldsOf(names, values);
}

/** The fields, added one by one (any names, repeated ones included). */
function fieldsOf(names: readonly string[], values: readonly string[]): FormFields {
  const fields: FormFields = {};
  for (let i = 0; i < names.length; i++) addField(fields, names[i] as string, values[i] as string);
  return fields;
}

/** `raw[from, to)` decoded, given where the next `%` and `+` at or after `from` are; undefined when it does not decode. */
function asciiPart(raw: string, from: number, to: number, percent: number, plus: number): string | undefined {
  let text = raw.slice(from, to);
  if (plus !== -1 && plus < to) text = text.replaceAll("+", " ");
  if (percent === -1 || percent >= to) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * The exact scan every body can go through: one pass over the bytes (no regular expressions)
 * finds the fields and checks every `%`; a name or value without escapes is then a slice of the
 * body, one with escapes goes through the engine's `decodeURIComponent` once (which, its escapes
 * being checked, throws only for bytes that are not UTF-8).
 */
function scanForm(bytes: Buffer, charset: "utf-8" | "iso-8859-1", parameterLimit: number): FormFields {
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

