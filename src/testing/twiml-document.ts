import { XMLParser, XMLValidator } from "fast-xml-parser";
import { TwimlError, type TwimlNode } from "./twiml-node";
import { errorMessage } from "../error-message";
import { MAX_DOCUMENT_BYTES, ROOT_ELEMENT, elementRule, type AttributeRule, type ElementRule } from "./twiml-schema";

/**
 * Parsing in two passes, the way Twilio reports problems: first the XML itself (error 12100:
 * not well-formed, bad character references, content outside the root), then the TwiML schema
 * (error 12200: wrong root, unknown or misplaced elements, bad attributes, missing text).
 *
 * Entity handling: the parser does not expand entities at all (`processEntities: false`), so a
 * DOCTYPE cannot define entities that expand (no "billion laughs"); this module decodes the five
 * predefined XML entities and numeric character references itself and rejects any other reference.
 */
const PARSER = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  cdataPropName: "#cdata",
  captureMetaData: true,
});
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

// ---------------------------------------------------------------------------------------------
// Pass 1: well-formed XML -> decoded element tree
// ---------------------------------------------------------------------------------------------

interface DecodedElement {
  readonly name: string;
  readonly path: string;
  readonly attributes: Record<string, string>;
  /** Decoded text runs and child elements, in document order. */
  readonly content: (string | DecodedElement)[];
}

/** One item of fast-xml-parser's `preserveOrder` output. */
type RawItem =
  | { kind: "element"; name: string; attributes: Record<string, string>; content: unknown[]; start: number | undefined; end: number | undefined }
  | { kind: "text"; text: string }
  | { kind: "cdata"; text: string }
  | { kind: "other" };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readItem(item: unknown): RawItem {
  if (!isRecord(item)) return { kind: "other" };
  const key = Object.keys(item).find((k) => k !== ":@");
  if (key === undefined) return { kind: "other" };
  const value = item[key];
  if (key === "#text") return { kind: "text", text: typeof value === "string" ? value : String(value) };
  if (key === "#cdata") {
    const parts = Array.isArray(value) ? value.map((part) => (isRecord(part) && typeof part["#text"] === "string" ? part["#text"] : "")) : [];
    return { kind: "cdata", text: parts.join("") };
  }
  // Processing instructions (`?xml`, `?foo`) carry no TwiML.
  if (key.startsWith("?") || !Array.isArray(value)) return { kind: "other" };
  const rawAttributes = item[":@"];
  // Object.fromEntries defines own properties, so no attribute name can reach a prototype.
  const attributes = isRecord(rawAttributes) ? Object.fromEntries(Object.entries(rawAttributes).map(([name, v]) => [name, String(v)])) : {};
  const meta: unknown = (item as Record<symbol, unknown>)[META];
  const start = isRecord(meta) && typeof meta.startIndex === "number" ? meta.startIndex : undefined;
  const end = isRecord(meta) && typeof meta.endIndex === "number" ? meta.endIndex : undefined;
  return { kind: "element", name: key, attributes, content: value as unknown[], start, end };
}

/** `line L, column C` of an offset in the document (1-based, as the XML validator reports them). */
function position(doc: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = doc.indexOf("\n"); i !== -1 && i < offset; i = doc.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

function notWellFormed(message: string, element?: string): TwimlError {
  return new TwimlError(12100, `document parse failure: ${message}`, element);
}

/** XML 1.0 `Char`: tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF. */
function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

function checkCharacters(doc: string): void {
  for (let i = 0; i < doc.length; i++) {
    const codePoint = doc.codePointAt(i) ?? 0;
    if (codePoint > 0xffff) {
      i++; // a valid surrogate pair
    } else if (!isXmlChar(codePoint)) {
      const hex = codePoint.toString(16).toUpperCase().padStart(4, "0");
      throw notWellFormed(`character U+${hex} is not allowed in XML (${position(doc, i)})`);
    }
  }
}

function isXmlWhitespace(char: string | undefined): boolean {
  return char === " " || char === "\t" || char === "\n" || char === "\r";
}

function everyChar(text: string, test: (char: string) => boolean): boolean {
  for (const char of text) if (!test(char)) return false;
  return true;
}

function isHexDigits(text: string): boolean {
  return text !== "" && everyChar(text, (char) => "0123456789abcdefABCDEF".includes(char));
}

function isDecimalDigits(text: string): boolean {
  return text !== "" && everyChar(text, (char) => char >= "0" && char <= "9");
}

/** Where the pass-1 walker is, for messages. */
interface Place {
  readonly doc: string;
  readonly path: string;
  /** Offset of the element's start tag (references are searched for from there). */
  readonly from: number;
}

function at(place: Place, found: string): string {
  const offset = place.doc.indexOf(found, place.from);
  return `at ${place.path} (${position(place.doc, offset === -1 ? place.from : offset)})`;
}

/** Decodes `&amp;`-style and numeric references; any other `&` makes the document ill-formed. */
function decodeReferences(raw: string, place: Place): string {
  let out = "";
  let index = 0;
  for (let amp = raw.indexOf("&"); amp !== -1; amp = raw.indexOf("&", index)) {
    out += raw.slice(index, amp);
    const semicolon = raw.indexOf(";", amp + 1);
    const name = semicolon === -1 ? "" : raw.slice(amp + 1, semicolon);
    let decoded: string | undefined;
    if (Object.hasOwn(PREDEFINED_ENTITIES, name)) {
      decoded = PREDEFINED_ENTITIES[name];
    } else if (name.startsWith("#")) {
      const hex = name.startsWith("#x");
      const digits = name.slice(hex ? 2 : 1);
      const codePoint = (hex ? isHexDigits(digits) : isDecimalDigits(digits)) ? Number.parseInt(digits, hex ? 16 : 10) : Number.NaN;
      if (!Number.isSafeInteger(codePoint) || !isXmlChar(codePoint)) {
        throw notWellFormed(`"&${name};" is not a valid character reference ${at(place, `&${name};`)}`, place.path);
      }
      decoded = String.fromCodePoint(codePoint);
    }
    if (decoded === undefined) {
      const looksLikeReference = name !== "" && name.length <= 64 && everyChar(name, (char) => !isXmlWhitespace(char) && !"&<>\"'".includes(char));
      throw notWellFormed(
        looksLikeReference
          ? `undefined entity "&${name};" ${at(place, `&${name};`)}; only &amp; &lt; &gt; &quot; &apos; and numeric references are decoded (DOCTYPE entities are not expanded)`
          : `"&" must be escaped as "&amp;" ${at(place, "&")}`,
        place.path,
      );
    }
    out += decoded;
    index = semicolon + 1;
  }
  return out + raw.slice(index);
}

/** XML attribute-value normalization: literal tab/CR/LF become spaces (references were decoded after). */
function decodeAttribute(name: string, raw: string, place: Place): string {
  if (raw.includes("<")) throw notWellFormed(`"<" is not allowed in the value of attribute ${name} ${at(place, raw)}`, place.path);
  let normalized = "";
  for (const char of raw) normalized += isXmlWhitespace(char) ? " " : char;
  return decodeReferences(normalized, place);
}

function decodeElement(raw: Extract<RawItem, { kind: "element" }>, path: string, doc: string): DecodedElement {
  const place: Place = { doc, path, from: raw.start ?? 0 };
  const attributes = Object.fromEntries(Object.entries(raw.attributes).map(([name, value]) => [name, decodeAttribute(name, value, place)]));
  const content: (string | DecodedElement)[] = [];
  const indexByName = new Map<string, number>();
  for (const item of raw.content.map(readItem)) {
    if (item.kind === "text") {
      if (item.text.includes("]]>")) throw notWellFormed(`"]]>" is not allowed in text ${at(place, "]]>")}`, path);
      content.push(decodeReferences(item.text, place));
    } else if (item.kind === "cdata") {
      content.push(item.text);
    } else if (item.kind === "element") {
      const index = indexByName.get(item.name) ?? 0;
      indexByName.set(item.name, index + 1);
      content.push(decodeElement(item, `${path}/${item.name}[${index}]`, doc));
    }
  }
  return { name: raw.name, path, attributes, content };
}

/** After the root element only whitespace, comments and processing instructions may follow. */
function checkAfterRoot(doc: string, from: number, rootName: string): void {
  let i = from;
  while (i < doc.length) {
    if (isXmlWhitespace(doc[i])) {
      i++;
      continue;
    }
    const close = doc.startsWith("<!--", i) ? "-->" : doc.startsWith("<?", i) ? "?>" : undefined;
    const end = close === undefined ? -1 : doc.indexOf(close, i + 2);
    if (close === undefined || end === -1) {
      throw notWellFormed(`content after the root element </${rootName}> (${position(doc, i)}); a document has exactly one root element`);
    }
    i = end + close.length;
  }
}

function readDocument(xml: string): DecodedElement {
  if (typeof xml !== "string") throw notWellFormed(`expected the document as a string, got ${typeof xml}`);
  const bytes = Buffer.byteLength(xml, "utf8");
  if (bytes > MAX_DOCUMENT_BYTES) {
    throw new TwimlError(11750, `the document is ${bytes} bytes; Twilio refuses TwiML responses larger than 64 kB (${MAX_DOCUMENT_BYTES} bytes)`);
  }
  // XML end-of-line handling (XML 1.0 section 2.11): CRLF and lone CR become LF.
  const doc = xml.replaceAll("\r\n", "\n").replaceAll("\r", "\n");
  if (everyChar(doc, isXmlWhitespace)) throw notWellFormed("the document is empty");
  checkCharacters(doc);
  // XMLValidator is marked deprecated in favour of the separate fast-xml-validator package (not a
  // dependency here); it is still the part of fast-xml-parser that reports line and column.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const validation = XMLValidator.validate(doc);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    const where = typeof col === "number" ? `line ${line}, column ${col}` : `line ${line}`;
    throw notWellFormed(`${msg} (${where})`);
  }
  let items: unknown;
  try {
    items = PARSER.parse(doc);
  } catch (err) {
    const message = errorMessage(err);
    // The parser refuses names such as `constructor` or `__proto__`: well-formed, but not TwiML.
    if (message.startsWith("[SECURITY]")) throw new TwimlError(12200, `not a TwiML element or attribute name: ${message}`);
    throw notWellFormed(message);
  }
  let root: Extract<RawItem, { kind: "element" }> | undefined;
  for (const item of (Array.isArray(items) ? items : []).map(readItem)) {
    if (item.kind === "element") {
      if (root !== undefined) throw notWellFormed(`a second root element <${item.name}>; a document has exactly one root element`);
      root = item;
    } else if ((item.kind === "text" && item.text.trim() !== "") || item.kind === "cdata") {
      throw notWellFormed("text outside the root element");
    }
  }
  if (root === undefined) throw notWellFormed("the document has no root element");
  if (root.end !== undefined) checkAfterRoot(doc, root.end, root.name);
  return decodeElement(root, root.name, doc);
}

// ---------------------------------------------------------------------------------------------
// Pass 2: TwiML schema -> TwimlNode tree
// ---------------------------------------------------------------------------------------------

function schemaError(message: string, element: string): TwimlError {
  return new TwimlError(12200, message, element);
}

function list(names: readonly string[]): string {
  return names.join(", ");
}

/** "<Gather> may contain Say, Play, Pause" / "<Play> may not contain elements". */
function mayContain(name: string, rule: ElementRule): string {
  return rule.children.length === 0 ? `<${name}> may not contain elements` : `<${name}> may contain ${list(rule.children)}`;
}

function collapseWhitespace(text: string): string {
  let out = "";
  let pendingSpace = false;
  for (const char of text) {
    if (isXmlWhitespace(char)) {
      pendingSpace = out !== "";
    } else {
      if (pendingSpace) out += " ";
      pendingSpace = false;
      out += char;
    }
  }
  return out;
}

function quote(text: string): string {
  const short = text.length > 40 ? `${text.slice(0, 40)}...` : text;
  return JSON.stringify(short);
}

function isKey(char: string): boolean {
  return (char >= "0" && char <= "9") || char === "#" || char === "*";
}

/** Why `value` breaks `rule` ("must be ..."), or undefined when it is fine. */
function valueProblem(rule: AttributeRule, value: string): string | undefined {
  switch (rule.type) {
    case "string":
      return undefined;
    case "method":
      return ["GET", "POST"].includes(value.toUpperCase()) ? undefined : "must be GET or POST";
    case "boolean":
      return ["true", "false"].includes(value.toLowerCase()) ? undefined : "must be true or false";
    case "integer": {
      if ((rule.or ?? []).includes(value)) return undefined;
      if (isDecimalDigits(value) && Number(value) >= rule.min) return undefined;
      const alternatives = rule.or === undefined || rule.or.length === 0 ? "" : ` or ${rule.or.join(" or ")}`;
      return `must be a whole number >= ${rule.min}${alternatives}`;
    }
    case "enum":
      return rule.values.includes(value) ? undefined : `must be one of ${list(rule.values)}`;
    case "tokens": {
      const tokens = value.split(" ").filter((token) => token !== "");
      const fine = tokens.length > 0 && tokens.every((token) => rule.values.includes(token)) && new Set(tokens).size === tokens.length;
      return fine ? undefined : `must be ${rule.values.join(", ")} or several of them separated by spaces`;
    }
    case "keys": {
      const fine = everyChar(value, isKey) && (rule.max === undefined || value.length <= rule.max);
      if (fine) return undefined;
      return rule.max === 1 ? "must be one key (0-9, #, *) or empty" : "must be keys from 0-9, #, * (or empty)";
    }
  }
}

function checkAttributes(element: DecodedElement, rule: ElementRule): void {
  const allowed = rule.attributes;
  if (allowed === null) return;
  for (const [name, value] of Object.entries(element.attributes)) {
    const attributeRule = Object.hasOwn(allowed, name) ? allowed[name] : undefined;
    if (attributeRule === undefined) {
      const accepted = Object.keys(allowed);
      throw schemaError(
        `unknown attribute "${name}" on <${element.name}> at ${element.path}; ` +
          (accepted.length === 0 ? `<${element.name}> takes no attributes` : `<${element.name}> accepts ${list(accepted)}`),
        element.path,
      );
    }
    const problem = valueProblem(attributeRule, value);
    if (problem !== undefined) {
      throw schemaError(`attribute ${name}=${JSON.stringify(value)} on <${element.name}> at ${element.path} ${problem}`, element.path);
    }
  }
}

function ownText(element: DecodedElement): string {
  return collapseWhitespace(element.content.filter((part): part is string => typeof part === "string").join(""));
}

function checkText(element: DecodedElement, rule: ElementRule): void {
  const text = ownText(element);
  if (rule.text === "none" && text !== "") {
    throw schemaError(`text ${quote(text)} is not allowed inside <${element.name}> at ${element.path}; ${mayContain(element.name, rule)}`, element.path);
  }
  if (rule.text !== "required" || text !== "") return;
  if (rule.textOrAttribute !== undefined && Object.hasOwn(element.attributes, rule.textOrAttribute)) return;
  const alternatives = rule.textOrChild ?? [];
  if (element.content.some((part) => typeof part !== "string" && alternatives.includes(part.name))) return;
  const instead = [
    ...(rule.textOrAttribute === undefined ? [] : [`a ${rule.textOrAttribute} attribute`]),
    ...(alternatives.length === 0 ? [] : [`a nested ${alternatives.map((name) => `<${name}>`).join(" / ")}`]),
  ];
  throw schemaError(
    `<${element.name}> at ${element.path} needs ${rule.textIs ?? "text"} as its text${instead.length === 0 ? "" : ` (or ${instead.join(" or ")})`}`,
    element.path,
  );
}

/**
 * The node's text: its own text and its children's, in order. Inline SSML runs on with the text
 * around it; any other child element (a pause, sentence, noun, nested verb) is a separate phrase.
 */
function nodeText(element: DecodedElement, children: readonly TwimlNode[]): string {
  let text = "";
  let childIndex = 0;
  for (const part of element.content) {
    if (typeof part === "string") {
      text += part;
    } else {
      const childText = children[childIndex++]?.text ?? "";
      text += elementRule(part.name, element.name)?.inline === true ? childText : ` ${childText} `;
    }
  }
  return collapseWhitespace(text);
}

function childRule(parent: DecodedElement, rule: ElementRule, child: DecodedElement): ElementRule {
  const found = rule.children.includes(child.name) ? elementRule(child.name, parent.name) : undefined;
  if (found !== undefined) return found;
  const known = elementRule(child.name, undefined) !== undefined;
  throw schemaError(
    known
      ? `<${child.name}> is not allowed inside <${parent.name}> at ${child.path}; ${mayContain(parent.name, rule)}`
      : `<${child.name}> is not a TwiML voice element (names are case-sensitive) at ${child.path}; ${mayContain(parent.name, rule)}`,
    child.path,
  );
}

/** Checks one element (its attributes, text and which children it has), then its children, in document order. */
function buildNode(element: DecodedElement, rule: ElementRule): TwimlNode {
  checkAttributes(element, rule);
  const childElements = element.content.filter((part): part is DecodedElement => typeof part !== "string");
  const childRules = childElements.map((child) => childRule(element, rule, child));
  checkText(element, rule);
  const children = childElements.map((child, i) => buildNode(child, childRules[i] as ElementRule));
  return Object.freeze({
    name: element.name,
    attributes: Object.freeze({ ...element.attributes }),
    children: Object.freeze(children),
    text: nodeText(element, children),
    path: element.path,
  });
}

/**
 * Parses one TwiML voice document the way Twilio would, returning its `<Response>` element.
 *
 * @throws {TwimlError} 12100 when the document is not well-formed XML (or larger than 64 kB),
 *   12200 when it is XML but not valid TwiML; the message names the element path and the rule.
 */
export function parseTwiml(xml: string): TwimlNode {
  const root = readDocument(xml);
  if (root.name !== ROOT_ELEMENT) {
    throw schemaError(`the root element must be <${ROOT_ELEMENT}>, not <${root.name}> at ${root.path}`, root.path);
  }
  const rule = elementRule(ROOT_ELEMENT, undefined);
  if (rule === undefined) throw new Error(`twiml-schema has no rule for <${ROOT_ELEMENT}>`);
  return buildNode(root, rule);
}
