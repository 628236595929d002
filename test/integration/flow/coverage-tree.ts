// A small phone tree for the coverage tests, shared by the test and the processes it starts.
//
//   MENU (/incoming-call, a menu): 1 or "sales" -> SALES (says so, hangs up)
//                                  2 or "hours" -> CHECK_OPEN (branching) -> OPEN (says so, hangs up)
//                                  silence or a wrong key, twice -> GOODBYE (hangs up)
import type { Express } from "express";
import { menu, twilioIvr, type State } from "../../../src";

export const URI = "/incoming-call";

export function coverageTree(): Express {
  const end = (name: string, text: string): State => ({ name, isEndState: true, twimlFor: () => `<Response><Say>${text}</Say><Hangup/></Response>` });
  const sales = end("SALES", "Sales.");
  const open = end("OPEN", "We are open.");
  const goodbye = end("GOODBYE", "Goodbye.");
  const checkOpen: State = { name: "CHECK_OPEN", transitionOut: () => open };
  const entry = menu({
    name: "MENU",
    uri: URI,
    processTransitionUri: "/menu-out",
    prompt: "<Say>Press 1 or say sales. Press 2 or say hours.</Say>",
    options: [
      { keys: ["1"], phrases: ["sales"], to: () => sales },
      { keys: ["2"], phrases: ["hours"], to: () => checkOpen },
    ],
    tries: 2,
    onFailure: () => goodbye,
  });
  return twilioIvr([entry, sales, open, goodbye, checkOpen], { twilio: { authToken: "", validate: false }, urlFor: { host: () => "localhost" } });
}
