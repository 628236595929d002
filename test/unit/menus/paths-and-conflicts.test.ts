import { menu, type State } from "../../../src";
import { configError } from "../../helpers/errors";

const end: State = { name: "END", isEndState: true, twimlFor: () => "<Response/>" };
const base = { name: "M", processTransitionUri: "/m-answer", prompt: "Choose.", options: [{ keys: ["1"], to: end }], onFailure: end };

describe("menu paths and conflict messages", () => {
  it.each(["/m-answer?lang=en", "/m-answer#top"])("rejects a processTransitionUri with a query or fragment (%s): routes match the path alone", (uri) => {
    const error = configError(() => menu({ ...base, processTransitionUri: uri }), "ERR_IVR_STATE_INVALID");
    expect(error.message).toContain(`options.processTransitionUri must be a path without a query string or fragment, got ${JSON.stringify(uri)}`);
  });

  it("names the first choice that owns a key when a phrase of another choice says it", () => {
    const error = configError(
      () =>
        menu({
          ...base,
          options: [
            { keys: ["1"], to: end },
            { keys: ["1"], to: end },
            { phrases: ["press one"], to: end },
          ],
        }),
      "ERR_IVR_STATE_INVALID",
    );
    expect(error.message).toContain('key "1" is in options[0] and options[1]');
    expect(error.message).toContain('phrase "press one" of options[2] says key "1" of options[0]');
  });
});
