// What every target serves and what the load generator sends: one place, so both sides agree.

export const INCOMING_URI = "/incoming-call";
/** Where the transition scenario's Gather answers go (a normal state's processTransitionUri). */
export const CHOICE_URI = "/incoming-call/choice";

/** The public host of the signed-requests scenario (the app sits behind a TLS proxy) and its token. */
export const SIGNED_HOST = "ivr.bench.example";
export const SIGNING_TOKEN = "bench-auth-token-0123456789abcdef";

export const TWIML =
  '<?xml version="1.0" encoding="UTF-8"?><Response>' +
  '<Gather action="/incoming-call/choice" numDigits="1" timeout="5">' +
  "<Say>Thanks for calling Foo Corp. For sales, press 1. For support, press 2.</Say>" +
  "</Gather><Redirect>/incoming-call</Redirect></Response>";

/** Content-Type both the library and the bare app send (the library's documented one). */
export const TWIML_TYPE = "text/xml; charset=utf-8";

/** A voice webhook body shaped like Twilio's (form-encoded, ~20 parameters) for call `callSid`. */
export function formBody(callSid) {
  return new URLSearchParams({
    AccountSid: "AC0123456789abcdef0123456789abcdef",
    ApiVersion: "2010-04-01",
    CallSid: callSid,
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
}

/** A Twilio-shaped CallSid: "CA" + 32 hex digits, `seed` (hex digits) zero-padded on the left. */
export function callSid(seed) {
  return `CA${String(seed).padStart(32, "0").slice(-32)}`;
}

/** The body of the TwiML scenarios (one fixed call). */
export const FORM_BODY = formBody(callSid("0123456789abcdef0123456789abcdef"));

// Scenario 5 (call sessions): one routable state; the load generator rotates over SESSION_CALLS calls.

export const SESSION_URI = "/session-visit";

/** Distinct CallSids the session scenario's requests rotate through. */
export const SESSION_CALLS = 64;

/**
 * What the session state renders: `visit` is the counter read from (and written back to) the
 * call's session, or a word when the target keeps no counter ("off": no session argument,
 * "on": a session argument the state never touches).
 */
export function visitTwiml(visit) {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><Response>' +
    '<Gather action="/session-visit/choice" numDigits="1" timeout="5">' +
    `<Say>Visit ${visit}. For sales, press 1. For support, press 2.</Say>` +
    "</Gather><Redirect>/session-visit</Redirect></Response>"
  );
}

/** Reads the counter back out of visitTwiml(n); undefined when the body is not that shape. */
export function visitOf(body) {
  const match = /^<\?xml[^>]*><Response><Gather action="\/session-visit\/choice" numDigits="1" timeout="5"><Say>Visit (\w+)\. /.exec(body);
  if (match === null || body !== visitTwiml(match[1])) return undefined;
  return match[1];
}

export function stateUri(index) {
  return `/state-${index}`;
}
