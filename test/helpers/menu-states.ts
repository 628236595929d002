// The sales/support menu shared by the menu tests: its end states and the texts it says.
import { endState } from "./app";

export const SALES = endState("SALES", "<Response><Say>Sales.</Say><Hangup/></Response>");
export const SUPPORT = endState("SUPPORT", "<Response><Say>Support.</Say><Hangup/></Response>");
export const PROMPT = "Press 1 for sales or 2 for support.";
export const INVALID = "Sorry, that is not one of the choices.";
export const TIMEOUT = "Sorry, I didn't catch that.";
