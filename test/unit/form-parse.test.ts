import fc from "fast-check";
import { knownNameAt, knownNameIndex, TWILIO_NAMES } from "../../src/routing/field-names";
import { parseFormBody } from "../../src/routing/form-parse";
import { fieldsOfKnownShape } from "../../src/routing/form-shapes";
import { grouped } from "../helpers/form-fields";

// Forms of Twilio's own names take the fast path: names from the table, objects copied from a
// template of the form's shape. These tests hold it to what adding the fields one by one gives.

const encode = (pairs: readonly (readonly [string, string])[]): Buffer => Buffer.from(new URLSearchParams(pairs.map(([k, v]): [string, string] => [k, v])).toString(), "latin1");

const knownName = fc.constantFrom(...TWILIO_NAMES);
const value = fc.oneof(fc.string(), fc.constantFrom("", "+14155552671", "CA0123456789abcdef0123456789abcdef", "a b&c=d%e+f", "é😀"));
/** Mostly known names, sometimes repeated, sometimes an unknown one or a near miss ("callsid", "CallSid2"). */
const pairs = fc.array(
  fc.tuple(fc.oneof({ weight: 8, arbitrary: knownName }, { weight: 1, arbitrary: fc.constantFrom("callsid", "CallSid2", "Digit", "X-Custom", "__proto__", "toString") }), value),
  { maxLength: 40 },
);

describe("known Twilio names", () => {
  it("finds every known name, and nothing else, wherever it sits in the text", () => {
    TWILIO_NAMES.forEach((name, index) => {
      const text = `x&${name}=1`;
      expect(knownNameIndex(text, 2, 2 + name.length)).toBe(index);
      expect(knownNameAt(index)).toBe(name);
      expect(knownNameIndex(text, 2, 1 + name.length)).not.toBe(index); // one character short
    });
    for (const other of ["callsid", "CallSid2", "Digit", "", "To ", "AccountSID"]) expect(knownNameIndex(other, 0, other.length)).toBe(-1);
  });
});

describe("forms of known names (property)", () => {
  it("parse to exactly the fields added one by one, as own keys of a fresh plain object", () => {
    fc.assert(
      fc.property(pairs, (form) => {
        const body = encode(form);
        const first = parseFormBody(body);
        const second = parseFormBody(body); // the second parse of a shape copies its template
        for (const parsed of [first, second]) {
          expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
          expect(Object.entries(parsed)).toStrictEqual(Object.entries(grouped(form)));
        }
        expect(second).not.toBe(first);
        // Writing to one result touches neither the next nor the template it came from.
        for (const key of Object.keys(first)) first[key] = "changed";
        first.Extra = "added";
        expect(Object.entries(parseFormBody(body))).toStrictEqual(Object.entries(grouped(form)));
      }),
      { numRuns: 400 },
    );
  });

  it("stay right when far more shapes come than the cache keeps", () => {
    const forms = Array.from({ length: 300 }, (_, i) => TWILIO_NAMES.filter((_, j) => (i >> j % 9) & 1).map((name, j): [string, string] => [name, `${i}-${j}`]));
    for (let round = 0; round < 2; round++) {
      for (const form of forms) expect(Object.entries(parseFormBody(encode(form)))).toStrictEqual(Object.entries(grouped(form)));
    }
  });

  it("are told apart name by name when two shapes share a key", () => {
    const a = fieldsOfKnownShape(7, ["CallSid", "From"], ["CA1", "+1"]);
    const b = fieldsOfKnownShape(7, ["From", "To"], ["+2", "+3"]);
    const again = fieldsOfKnownShape(7, ["CallSid", "From"], ["CA4", "+5"]);
    expect([a, b, again].map((fields) => Object.entries(fields ?? {}))).toEqual([
      [["CallSid", "CA1"], ["From", "+1"]],
      [["From", "+2"], ["To", "+3"]],
      [["CallSid", "CA4"], ["From", "+5"]],
    ]);
    // A repeated name fits no template: the caller adds the fields one by one instead.
    expect(fieldsOfKnownShape(8, ["Digits", "Digits"], ["1", "2"])).toBeUndefined();
  });
});
