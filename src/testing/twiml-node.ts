/** One parsed, validated TwiML element. */
export interface TwimlNode {
  /** Element name as written, e.g. `Gather`. */
  name: string;
  /** Attributes with entities decoded. */
  attributes: Readonly<Record<string, string>>;
  /** Child elements, in document order (text nodes are not elements). */
  children: readonly TwimlNode[];
  /** All text inside the element, entities decoded, child elements' text included, trimmed. */
  text: string;
  /** Where the element is, for messages: e.g. `Response/Gather[1]/Say[0]` (index among the parent's children). */
  path: string;
}

/** Twilio's error codes for TwiML it cannot use. */
export type TwimlErrorCode = 11750 | 12100 | 12200;

/**
 * A TwiML document Twilio would refuse: 12100 (document parse failure: not well-formed XML),
 * 12200 (schema violation: wrong root, unknown verb, disallowed nesting, bad or missing attribute)
 * or 11750 (response body over 64 kB).
 */
export class TwimlError extends Error {
  readonly code: TwimlErrorCode;
  /** Path of the offending element (see {@link TwimlNode.path}), when there is one. */
  readonly element: string | undefined;

  constructor(code: TwimlErrorCode, message: string, element?: string) {
    super(`Twilio error ${code}: ${message}`);
    this.name = "TwimlError";
    this.code = code;
    this.element = element;
  }
}
