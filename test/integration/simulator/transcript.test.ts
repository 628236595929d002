import { formatTranscript, simulateCall } from "../../../src/testing";
import type { TranscriptEntry } from "../../../src/testing";
import { twiml, twimlApp } from "../../helpers/twiml-app";

describe("the transcript as text", () => {
  it("reads as numbered lines of what the caller experienced", async () => {
    const t = twimlApp({
      "/start": twiml('<Say>Hi</Say><Gather action="choice" numDigits="1"><Say>Press 1 for music</Say><Pause length="2"/></Gather>'),
      "/choice": twiml('<Play loop="2">/song.mp3</Play><Redirect method="GET">/bye</Redirect>'),
      "/bye": twiml("<Say>Bye</Say><Hangup/>"),
    });
    const call = await simulateCall(t.app, { uri: "/start" });
    await call.press("1");

    expect(call.toString()).toBe(
      [
        "  1. -> POST http://localhost/start (200)",
        '  2. Say "Hi"',
        "  3. Gather dtmf (timeout 5s) -> POST http://localhost/choice",
        '  4. Say "Press 1 for music"',
        "  5. Pause 2s",
        "  6. Caller pressed 1",
        "  7. -> POST http://localhost/choice (200)",
        "  8. Play http://localhost/song.mp3 x2",
        "  9. Redirect -> GET http://localhost/bye",
        " 10. -> GET http://localhost/bye (200)",
        ' 11. Say "Bye"',
        " 12. Hangup",
      ].join("\n"),
    );
    expect(String(call)).toBe(formatTranscript(call.transcript));
  });

  it("names silence, speech, the caller hanging up and the end of the TwiML", async () => {
    const t = twimlApp({
      "/start": twiml('<Gather input="speech" action="/said"/><Say>Nothing heard</Say><Gather input="speech" action="/said"/>'),
      "/said": twiml('<Record action="/rec"/>'),
      "/rec": twiml("<Say>Saved</Say>"),
    });
    const call = await simulateCall(t.app, { uri: "/start" });
    await call.silence();
    await call.say("I need help");
    await call.press("#");
    const lines = call.toString().split("\n");
    expect(lines).toContain("  3. Caller stayed silent");
    expect(lines).toContain('  6. Caller said "I need help"');
    expect(lines).toContain("  8. Record (max 3600s, beep) -> POST http://localhost/rec");
    expect(lines.at(-1)).toBe(" 12. End of TwiML: call ends");

    const other = twimlApp({ "/start": twiml('<Gather action="/x"/>') });
    const hungUp = await simulateCall(other.app, { uri: "/start" });
    await hungUp.hangUp();
    expect(hungUp.toString().split("\n").at(-1)).toBe("  3. Caller hung up");
  });

  it("reports every entry to onEntry as it happens, in transcript order", async () => {
    const t = twimlApp({
      "/start": twiml('<Say>Hi</Say><Gather action="/next" numDigits="1"/>'),
      "/next": twiml("<Say>Bye</Say><Hangup/>"),
    });
    const seen: TranscriptEntry[] = [];
    const call = await simulateCall(t.app, { uri: "/start", onEntry: (entry) => seen.push(entry) });
    expect(seen).toEqual(call.transcript);
    await call.press("1");
    expect(seen).toEqual(call.transcript);
    expect(seen.map((e) => e.type)).toEqual(["request", "say", "gather", "input", "request", "say", "hangup"]);
  });
});

describe("toJSON", () => {
  it("gives test runners the call's state and readable transcript", async () => {
    const t = twimlApp({ "/start": twiml("<Say>Hi</Say><Hangup/>") });
    const call = await simulateCall(t.app, { uri: "/start" });
    expect(JSON.parse(JSON.stringify(call))).toEqual({
      callSid: call.callSid,
      ended: true,
      waitingFor: "ended",
      transcript: ["  1. -> POST http://localhost/start (200)", '  2. Say "Hi"', "  3. Hangup"],
    });
  });
});
