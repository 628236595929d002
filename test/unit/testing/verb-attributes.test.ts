import { parseTwiml } from "../../../src/testing/twiml-document";
import type { TwimlNode } from "../../../src/testing/twiml-node";
import { boolAttribute, intAttribute, methodOf } from "../../../src/testing/verb-attributes";

/** The first verb of a document holding just `verb`. */
const verb = (xml: string): TwimlNode => parseTwiml(`<Response>${xml}</Response>`).children[0]!;

describe("methodOf", () => {
  it.each<[string | undefined, "GET" | "POST"]>([
    ["GET", "GET"],
    ["get", "GET"],
    ["Post", "POST"],
    [undefined, "POST"],
    ["", "POST"],
    ["PUT", "POST"],
  ])("reads %j as %s (default POST)", (value, expected) => {
    expect(methodOf(value)).toBe(expected);
  });

  it("falls back to the given method for a missing or unknown value only", () => {
    expect(methodOf(undefined, "GET")).toBe("GET");
    expect(methodOf("DELETE", "GET")).toBe("GET");
    expect(methodOf("post", "GET")).toBe("POST");
  });
});

describe("intAttribute", () => {
  it("reads a number as written", () => {
    expect(intAttribute(verb('<Pause length="7"/>'), "length", 1)).toBe(7);
    expect(intAttribute(verb('<Say loop="0">hi</Say>'), "loop", 1)).toBe(0);
  });

  // The TwiML schema refuses such values on the verbs it knows; the helper still never returns NaN.
  it("falls back when the attribute is missing, blank or not a finite number", () => {
    expect(intAttribute(verb("<Pause/>"), "length", 1)).toBe(1);
    const node: TwimlNode = { name: "Gather", attributes: { numDigits: " ", timeout: "many", maxLength: "Infinity" }, children: [], text: "", path: "Response/Gather[0]" };
    expect(intAttribute(node, "numDigits", 99)).toBe(99);
    expect(intAttribute(node, "timeout", 3)).toBe(3);
    expect(intAttribute(node, "maxLength", 5)).toBe(5);
  });
});

describe("boolAttribute", () => {
  it("reads true and false in any case", () => {
    expect(boolAttribute(verb('<Record playBeep="FALSE"/>'), "playBeep", true)).toBe(false);
    expect(boolAttribute(verb('<Gather actionOnEmptyResult="True"/>'), "actionOnEmptyResult", false)).toBe(true);
  });

  it("falls back when the attribute is missing or neither true nor false", () => {
    expect(boolAttribute(verb("<Record/>"), "playBeep", true)).toBe(true);
    const node: TwimlNode = { name: "Record", attributes: { playBeep: "yes" }, children: [], text: "", path: "Response/Record[0]" };
    expect(boolAttribute(node, "playBeep", false)).toBe(false);
  });
});
