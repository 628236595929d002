import fc from "fast-check";
import { toInputData } from "../../src/routing/input";

describe("toInputData", () => {
  it.each([undefined, null, "Digits=1", 42])("gives {} for a body that is not an object (%p)", (body) => {
    const input = toInputData(body);
    expect(input).toEqual({});
    expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
  });

  it("copies string and repeated (array) fields into a plain object and drops anything else", () => {
    const body = Object.assign(Object.create(null) as object, { Digits: "12", To: ["+1", "+2"], nested: { a: "b" }, n: 3 });
    const input = toInputData(body);
    expect(input).toEqual({ Digits: "12", To: ["+1", "+2"] });
    expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
  });

  it("keeps a __proto__ field as an own data key without touching the prototype", () => {
    const body = JSON.parse('{"__proto__": "x", "polluted": "no"}') as unknown;
    const input = toInputData(body);
    expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
    expect(Object.keys(input)).toEqual(["__proto__", "polluted"]);
    expect(Object.getOwnPropertyDescriptor(input, "__proto__")?.value).toBe("x");
  });

  it("a prototype-less parsed form with a __proto__ field: an own data key, the prototype untouched", () => {
    const body = Object.create(null) as Record<string, string>;
    body.__proto__ = "x"; // no accessor on a prototype-less object: an ordinary own field
    body.Digits = "1";
    const input = toInputData(body);
    expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
    expect(Object.keys(input)).toEqual(["__proto__", "Digits"]);
    expect(Object.getOwnPropertyDescriptor(input, "__proto__")?.value).toBe("x");
  });

  it("preserves every string field of arbitrary bodies (property)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), (fields) => {
        const body = Object.create(null) as Record<string, string>;
        for (const [k, v] of Object.entries(fields)) body[k] = v;
        const input = toInputData(body);
        expect(Object.keys(input).sort()).toEqual(Object.keys(fields).sort());
        for (const [k, v] of Object.entries(fields)) expect(Object.getOwnPropertyDescriptor(input, k)?.value).toBe(v);
        expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
      }),
      { numRuns: 100 },
    );
  });
});
