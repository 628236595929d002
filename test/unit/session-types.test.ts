// Type-level checks (tsc --noEmit runs over test/): the session's data shape flows from the
// State generic into every state function; states written without sessions keep compiling.
import twilioIvr, { type CallSession, type State } from "../../src";
import { devConfig } from "../helpers/app";

interface WeatherData {
  weather?: string;
  polls?: number;
}

const takesNumber = (n: number | undefined): number | undefined => n;

const report: State<WeatherData> = {
  name: "REPORT",
  isEndState: true,
  async twimlFor(_urlFor, _input, session) {
    const weather = await session?.get("weather");
    // @ts-expect-error the value of "weather" is a string, not a number
    takesNumber(weather);
    return `<Response><Say>${weather ?? "unknown"}</Say></Response>`;
  },
};

const poll: State<WeatherData> = {
  name: "POLL",
  uri: "/poll",
  // A state written for sessions may declare the session required: it is passed whenever config.sessions is set.
  async transitionOut(_input, session: CallSession<WeatherData>) {
    // @ts-expect-error "weathr" is not a key of WeatherData
    await session.get("weathr");
    // @ts-expect-error polls holds numbers
    await session.set("polls", "three");
    const data = await session.update((d) => ({ ...d, polls: (d.polls ?? 0) + 1 }));
    return (data.polls ?? 0) > 3 ? report : poll;
  },
};

// Written for the original (no sessions): two parameters, still a valid state.
const legacy: State = { name: "LEGACY", uri: "/legacy", isEndState: true, twimlFor: (urlFor, input) => `<Response>${urlFor("/x")}${input?.From ?? ""}</Response>` };

describe("session types", () => {
  it("states typed with their session data build an app", () => {
    expect(typeof twilioIvr<WeatherData>([poll, report], devConfig({ sessions: {} }))).toBe("function");
    expect(typeof twilioIvr([legacy], devConfig())).toBe("function");
  });
});
