// Type-level checks (tsc --noEmit runs over test/): menu() takes typed options and returns a
// state that fits everywhere a state does, with its description typed and read-only.
import twilioIvr, { menu, type MenuState, type State } from "../../src";
import { devConfig } from "../helpers/app";

interface Data {
  choice?: string;
}

const done: State<Data> = { name: "DONE", isEndState: true, twimlFor: () => "<Response/>" };

const main: MenuState<Data> = menu<Data>({
  name: "MAIN",
  uri: "/main",
  processTransitionUri: "/main/answer",
  prompt: (_urlFor, attempt) => `Attempt ${attempt}: press 1.`,
  options: [
    {
      keys: ["1"],
      phrases: ["one more"],
      to: async (input, session) => {
        await session?.set("choice", input.Digits ?? "");
        return done;
      },
    },
  ],
  onFailure: done,
});


describe("menu types", () => {
  it("a menu is a state: it builds an app, and its description is read-only", () => {
    const states: State<Data>[] = [main, done];
    expect(typeof twilioIvr<Data>(states, devConfig())).toBe("function");
    expect(main.menu.choices[0]?.keys).toEqual(["1"]);
    expect(() => {
      // @ts-expect-error the description is read-only (and frozen at run time)
      main.menu.tries = 9;
    }).toThrow(TypeError);
  });

  it("the types reject what the run-time check rejects too", () => {
    // @ts-expect-error onFailure is required
    expect(() => menu({ name: "X", processTransitionUri: "/x", prompt: "p", options: [{ keys: ["1"], to: done }] })).toThrow(/onFailure is required/);
    // @ts-expect-error input is one of "dtmf", "speech", "dtmf speech"
    expect(() => menu({ name: "X", processTransitionUri: "/x", prompt: "p", options: [{ keys: ["1"], to: done }], onFailure: done, input: "voice" })).toThrow(
      /options\.input must be/,
    );
  });
});
