// What every target serves and what the load generator sends: one place, so both sides agree.

export const INCOMING_URI = "/incoming-call";

export const TWIML =
  '<?xml version="1.0" encoding="UTF-8"?><Response>' +
  '<Gather action="/incoming-call/choice" numDigits="1" timeout="5">' +
  "<Say>Thanks for calling Foo Corp. For sales, press 1. For support, press 2.</Say>" +
  "</Gather><Redirect>/incoming-call</Redirect></Response>";

/** Content-Type both the library and the bare app send (the library's documented one). */
export const TWIML_TYPE = "text/xml; charset=utf-8";

/** A voice webhook body shaped like Twilio's (form-encoded, ~20 parameters). */
export const FORM_BODY = new URLSearchParams({
  AccountSid: "AC0123456789abcdef0123456789abcdef",
  ApiVersion: "2010-04-01",
  CallSid: "CA0123456789abcdef0123456789abcdef",
  CallStatus: "ringing",
  Called: "+15005550006",
  CalledCity: "SAN FRANCISCO",
  CalledCountry: "US",
  CalledState: "CA",
  CalledZip: "94105",
  Caller: "+14155552671",
  CallerCity: "OAKLAND",
  CallerCountry: "US",
  CallerState: "CA",
  CallerZip: "94612",
  Direction: "inbound",
  From: "+14155552671",
  FromCity: "OAKLAND",
  FromCountry: "US",
  FromState: "CA",
  FromZip: "94612",
  To: "+15005550006",
  ToCity: "SAN FRANCISCO",
  ToCountry: "US",
  ToState: "CA",
  ToZip: "94105",
}).toString();

export function stateUri(index) {
  return `/state-${index}`;
}
