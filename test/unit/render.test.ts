import { StateError, type CallSession } from "../../src";
import { renderState as renderNow, transitionFrom as transitionNow, type RenderContext } from "../../src/routing/render";
import type { InputData, NormalState, State } from "../../src";

// Both answer synchronously when they can: these wrappers make every outcome a promise for `resolves`/`rejects`.
const renderState = (...args: Parameters<typeof renderNow>): Promise<string> => Promise.resolve().then(() => renderNow(...args));
const transitionFrom = (...args: Parameters<typeof transitionNow>): Promise<string> => Promise.resolve().then(() => transitionNow(...args));

const urlFor = (path: string): string => path;
const context = (routes: string[] = []): RenderContext => ({ urlFor, hasRoute: (p) => routes.includes(p) });
const end = (name: string): State => ({ name, isEndState: true, twimlFor: () => `<Response><Say>${name}</Say></Response>` });

describe("renderState", () => {
  it("renders a renderable state with the input it was given", async () => {
    const twimlFor = jest.fn(() => "<Response/>");
    const input: InputData = { Digits: "4" };
    await expect(renderState({ isEndState: true, twimlFor }, input, context())).resolves.toBe("<Response/>");
    expect(twimlFor.mock.calls).toEqual([[urlFor, input]]);
  });

  it("passes the input to the first transitionOut only and not to the state finally rendered", async () => {
    const target = { isEndState: true as const, twimlFor: jest.fn(() => "ok") };
    const second = { name: "B", transitionOut: jest.fn(() => target) };
    const first = { name: "A", transitionOut: jest.fn(() => second) };
    const input: InputData = { From: "+15550001111" };
    await expect(renderState(first, input, context())).resolves.toBe("ok");
    expect(first.transitionOut.mock.calls).toEqual([[input]]);
    expect(second.transitionOut.mock.calls).toEqual([[undefined]]);
    expect(target.twimlFor.mock.calls).toEqual([[urlFor, undefined]]);
  });

  it("calls backgroundTrigger before twimlFor, with the same arguments, without waiting for it", async () => {
    const order: string[] = [];
    const state: State = {
      twimlFor: jest.fn(() => (order.push("twimlFor"), "rendered")),
      backgroundTrigger: jest.fn(() => {
        order.push("backgroundTrigger");
        return new Promise(() => undefined); // never settles
      }),
    };
    const input: InputData = { CallSid: "CA1" };
    await expect(renderState(state, input, context())).resolves.toBe("rendered");
    expect(order).toEqual(["backgroundTrigger", "twimlFor"]);
    expect(state.backgroundTrigger).toHaveBeenCalledWith(urlFor, input);
  });

  it("turns a loop of non-renderable branching states into an error naming the cycle", async () => {
    const a: { name: string; transitionOut: () => State } = { name: "A", transitionOut: () => b };
    const b: State = { name: "B", transitionOut: () => a };
    const error = await renderState(a, {}, context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).message).toContain('"A" -> "B" -> "A"');
  });

  it("rejects a normal state whose processTransitionUri has no route, naming it", async () => {
    const menu: State = { name: "MENU", processTransitionUri: "/menu-choice", twimlFor: () => "x", transitionOut: () => end("E") };
    await expect(renderState(menu, {}, context())).rejects.toThrow(/MENU.*\/menu-choice/);
    await expect(renderState(menu, {}, context(["/menu-choice"]))).resolves.toBe("x");
  });

  it.each([
    ["undefined", undefined],
    ["null", null],
    ["a plain object", { a: 1 }],
    ["a number", 42],
  ])("rejects twimlFor returning %s", async (_label, value) => {
    const state = { name: "BAD", isEndState: true, twimlFor: () => value } as unknown as State;
    await expect(renderState(state, {}, context())).rejects.toMatchObject({ code: "ERR_IVR_RENDER", stateName: "BAD" });
  });

  it("accepts an empty string and objects whose toString is TwiML", async () => {
    await expect(renderState({ isEndState: true, twimlFor: () => "" }, {}, context())).resolves.toBe("");
    const response = { toString: () => "<Response/>" };
    await expect(renderState({ isEndState: true, twimlFor: async () => response }, {}, context())).resolves.toBe("<Response/>");
  });
});

describe("transitionFrom", () => {
  it("calls transitionOut with the input and renders the next state with none", async () => {
    const next = { isEndState: true as const, twimlFor: jest.fn(() => "next") };
    const menu = { name: "MENU", processTransitionUri: "/m", twimlFor: () => "menu", transitionOut: jest.fn(async () => next) };
    const input: InputData = { Digits: "1" };
    await expect(transitionFrom(menu, input, context())).resolves.toBe("next");
    expect(menu.transitionOut.mock.calls).toEqual([[input]]);
    expect(next.twimlFor.mock.calls).toEqual([[urlFor, undefined]]);
  });

  it("rejects when transitionOut returns something that is not a state, naming the state", async () => {
    const menu: State = { name: "MENU", processTransitionUri: "/m", twimlFor: () => "menu", transitionOut: () => ({ uri: "/x" }) as unknown as State };
    await expect(transitionFrom(menu as never, {}, context())).rejects.toThrow(/transitionOut of state "MENU" returned an object, which is not a valid state/);
  });

  it("passes a throwing transitionOut's error through as the same object, as the original did", async () => {
    const boom = new Error("db down");
    const menu = { name: "MENU", processTransitionUri: "/m", twimlFor: () => "menu", transitionOut: (): State => { throw boom; } };
    await expect(transitionFrom(menu, {}, context())).rejects.toBe(boom);
  });

  it("passes a rejecting twimlFor's value through untouched, even when it is not an Error", async () => {
    const reason = { status: 503, detail: "upstream" };
    const state: State = {
      name: "E",
      isEndState: true,
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- apps reject with non-Errors too
      twimlFor: () => Promise.reject(reason),
    };
    await expect(renderState(state, {}, context())).rejects.toBe(reason);
  });

  it("adds the session as the last argument only when there is one, keeping the position fixed", async () => {
    const session = { callSid: "CA1" } as unknown as CallSession;
    const twimlFor = jest.fn(() => "x");
    const transitionOut = jest.fn((): State => ({ isEndState: true, twimlFor }));
    const branch: State = { transitionOut };
    await renderState(branch, { Digits: "1" }, { ...context(), session });
    expect(transitionOut.mock.calls).toEqual([[{ Digits: "1" }, session]]);
    expect(twimlFor.mock.calls).toEqual([[urlFor, undefined, session]]);
  });
});

describe("synchronous states cost no promise", () => {
  const normal = (next: State): NormalState => ({ name: "MENU", processTransitionUri: "/m", twimlFor: () => "menu", transitionOut: () => next });

  it("returns the TwiML itself, not a promise, when every function answers synchronously", () => {
    expect(renderNow(end("A"), {}, context())).toBe("<Response><Say>A</Say></Response>");
    expect(transitionNow(normal(end("B")), { Digits: "1" }, context())).toBe("<Response><Say>B</Say></Response>");
    const branch: State = { name: "BRANCH", transitionOut: () => end("C") };
    expect(renderNow(branch, {}, context())).toBe("<Response><Say>C</Say></Response>");
  });

  it("throws a synchronous failure at once, as thrown", () => {
    const boom = new Error("sync boom");
    const state: State = { name: "S", isEndState: true, twimlFor: () => { throw boom; } };
    expect(() => renderNow(state, {}, context())).toThrow(boom);
  });

  it("returns a promise once any function answers with one, and the same TwiML", async () => {
    const later = { name: "L", isEndState: true as const, twimlFor: async () => "<Response/>" };
    const result = transitionNow(normal(later), {}, context());
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBe("<Response/>");
    const asyncOut: NormalState = { ...normal(end("X")), transitionOut: async () => end("X") };
    const viaAsyncOut = transitionNow(asyncOut, {}, context());
    expect(viaAsyncOut).toBeInstanceOf(Promise);
    await expect(viaAsyncOut).resolves.toBe("<Response><Say>X</Say></Response>");
  });
});
