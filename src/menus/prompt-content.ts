import type * as FastXmlParser from "fast-xml-parser";
import { loadOnUse } from "../load-on-use";

/** One verb a prompt may hold: what `<Gather>` accepts inside it. */
export interface PromptVerb {
  name: "Say" | "Play" | "Pause";
  attributes: Record<string, string>;
  text: string;
}

const ALLOWED = new Set(["Say", "Play", "Pause"]);
/** Only prompts written as TwiML need the parser: loaded then (see load-on-use.ts). */
const xml = loadOnUse(() => {
  // Its XMLValidator is deprecated in favour of a separate package, but still fast-xml-parser's own well-formedness check.
  // eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/no-deprecated
  const { XMLParser, XMLValidator } = require("fast-xml-parser") as typeof FastXmlParser;
  const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: "", parseTagValue: false, parseAttributeValue: false, trimValues: true });
  return { parser, XMLValidator };
});

type Ordered = Record<string, unknown> & { ":@"?: Record<string, string> };

/**
 * Reads a menu's prompt or message: plain text is said (`<Say>`, escaped when written), and a
 * string starting with `<` is TwiML content of `<Say>`, `<Play>` and `<Pause>` verbs with plain
 * text inside (what a `<Gather>` may hold).
 * @throws Error saying what is wrong, for the caller to prefix with where it came from.
 */
export function parsePromptContent(content: string): PromptVerb[] {
  const trimmed = content.trim();
  if (!trimmed.startsWith("<")) return trimmed === "" ? [] : [{ name: "Say", attributes: {}, text: trimmed }];
  const wrapped = `<Gather>${trimmed}</Gather>`;
  const { parser, XMLValidator } = xml();
  // Deprecated in favour of a separate package, but still fast-xml-parser's own well-formedness check.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const valid = XMLValidator.validate(wrapped);
  if (valid !== true) throw new Error(`is not well-formed TwiML content: ${valid.err.msg}`);
  const [root] = parser.parse(wrapped) as Ordered[];
  const children = (root?.Gather ?? []) as Ordered[];
  return children.map((child) => {
    const name = Object.keys(child).find((key) => key !== ":@") ?? "";
    if (name === "#text") throw new Error(`mixes text with TwiML verbs; put the text in a <Say>`);
    if (!ALLOWED.has(name)) throw new Error(`holds <${name}>; a menu prompt may hold only <Say>, <Play> and <Pause>`);
    const inner = (child[name] ?? []) as Ordered[];
    if (inner.some((node) => !("#text" in node))) throw new Error(`<${name}> holds elements; only plain text is supported inside it`);
    const text = inner.map((node) => String(node["#text"])).join("");
    return { name: name as PromptVerb["name"], attributes: { ...(child[":@"] ?? {}) }, text };
  });
}
