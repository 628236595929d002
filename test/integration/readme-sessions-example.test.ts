// The "Call sessions" examples of README.md, run as written (imports adapted to this repository,
// validation off, fetchWeather and the hold/report states filled in).
import twilioIvr, { MemoryStore } from "../../src";
import type { CallSession, JsonValue, State } from "../../src";
import { simulateCall } from "../../src/testing";

describe("the pizza example", () => {
  const pickSize: State = {
    name: "PICK_SIZE",
    uri: "/incoming-call",
    processTransitionUri: "/size-chosen",
    twimlFor: () => `<Response>
      <Gather action="/size-chosen" numDigits="1"><Say>Press 1 for small, 2 for large.</Say></Gather>
    </Response>`,
    async transitionOut(input, session) {
      await session!.set("size", input?.Digits === "2" ? "large" : "small");
      return confirm;
    },
  };

  const confirm: State = {
    name: "CONFIRM",
    isEndState: true,
    async twimlFor(_urlFor, _input, session) {
      const size = await session!.get("size");
      return `<Response><Say>One ${String(size)} pizza, coming up.</Say><Hangup/></Response>`;
    },
  };

  const store = new MemoryStore();
  const app = twilioIvr([pickSize, confirm], {
    twilio: { authToken: "", validate: false },
    urlFor: { host: () => "ivr.example.com", scheme: () => "https" },
    sessions: { store, statusCallbackUri: "/call-status" },
  });

  it.each([["1", "small"], ["2", "large"]])("pressing %s orders a %s pizza, and the data is gone when the call ends", async (key, size) => {
    const call = await simulateCall(app, { uri: "/incoming-call", statusCallback: "/call-status" });
    await call.press(key);
    expect(call.lastSaid).toBe(`One ${size} pizza, coming up.`);
    expect(call.ended).toBe(true);
    expect(await store.get(call.callSid)).toBeUndefined();
  });
});

describe("the polling example", () => {
  function build(fetchWeather: () => Promise<string>) {
    const sayWeather: State = {
      name: "SAY_WEATHER",
      isEndState: true,
      twimlFor: async (_u, _i, session) => `<Response><Say>${String(await session!.get("weather"))}</Say></Response>`,
    };
    const weatherUnavailable: State = { name: "UNAVAILABLE", isEndState: true, twimlFor: () => "<Response><Say>Sorry.</Say></Response>" };
    const holdOn: State = { name: "HOLD_ON", isEndState: true, twimlFor: () => `<Response><Pause length="1"/><Redirect>/weather/poll</Redirect></Response>` };

    const lookupWeather: State = {
      name: "LOOKUP_WEATHER",
      uri: "/weather",
      twimlFor: () => `<Response><Say>Looking up the weather. Please hold on.</Say><Redirect>/weather/poll</Redirect></Response>`,
      backgroundTrigger(_urlFor, _input, session) {
        void fetchWeather().then(
          (weather) => session!.set("weather", weather),
          () => session!.set("weatherFailed", true),
        );
      },
    };

    const pollWeather: State = {
      name: "POLL_WEATHER",
      uri: "/weather/poll",
      async transitionOut(_input, session: CallSession) {
        const { weather, weatherFailed } = await session.getAll();
        if (weather !== undefined) return sayWeather;
        if (weatherFailed === true) return weatherUnavailable;
        const { polls } = await session.update((data) => ({ ...data, polls: ((data.polls as number | undefined) ?? 0) + 1 }));
        return (polls as number) > 10 ? weatherUnavailable : holdOn;
      },
    };
    return twilioIvr([lookupWeather, pollWeather], { twilio: { authToken: "", validate: false }, urlFor: { host: () => "x" }, sessions: {} });
  }

  const after = (ms: number, value: JsonValue, fail = false): Promise<string> =>
    new Promise((resolve, reject) => {
      setTimeout(() => {
        if (fail) reject(new Error("down"));
        else resolve(String(value));
      }, ms);
    });

  it("says the weather once the background lookup has saved it", async () => {
    const call = await simulateCall(build(() => after(40, "Sunny")), { uri: "/weather", pauseMs: 10 });
    expect(call.said).toEqual(["Looking up the weather. Please hold on.", "Sunny"]);
  });

  it("apologises when the lookup fails", async () => {
    const call = await simulateCall(build(() => after(20, "", true)), { uri: "/weather", pauseMs: 10 });
    expect(call.lastSaid).toBe("Sorry.");
  });

  it("gives up after 10 polls when the lookup never ends", async () => {
    const call = await simulateCall(build(() => new Promise(() => undefined)), { uri: "/weather", pauseMs: 1 });
    expect(call.lastSaid).toBe("Sorry.");
    expect(call.transcript.filter((e) => e.type === "pause")).toHaveLength(10);
  });
});
