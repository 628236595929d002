import { isPathPattern } from "../routing/route-path";
import { isRoutableState, stateName } from "../states";
import type { UrlFor } from "../types";

/**
 * The part of twilio's REST client `redirectCall` uses: `client.calls(sid).update(...)`. A client
 * made with `twilio(accountSid, authToken)` fits.
 */
export interface CallsClient {
  calls(callSid: string): { update(params: { url: string; method: "POST" }): Promise<unknown> };
}

/** Options of {@link redirectCall}. */
export interface RedirectCallOptions {
  /** twilio's REST client, e.g. `twilio(process.env.TWILIO_ACCOUNT_SID, process.env.TWILIO_AUTH_TOKEN)`. */
  client: CallsClient;
  /** The live call to move, e.g. `session.callSid` or `input.CallSid`. */
  callSid: string;
  /** A routable state (one with a `uri`) or a root-relative path the call should continue at. */
  to: { uri?: string; name?: string } | string;
  /** The `urlFor` a state function was given: the absolute URL is built with it, as for any other URL in your TwiML. */
  urlFor: UrlFor;
}

/**
 * Moves a live call to a state's route through Twilio's REST API: Twilio stops what the call is
 * doing and POSTs to the state's `uri`, which renders it. Use it from a `backgroundTrigger` once
 * slow work is done (it needs your account's credentials; the polling pattern does not).
 * @returns the updated call resource, as twilio's client resolves it.
 * @throws TypeError when `to` is a state without a `uri` (or with a path pattern as its `uri`), or `callSid` is missing.
 * @example
 * backgroundTrigger(urlFor, input, session) {
 *   lookupWeather().then(async (weather) => {
 *     await session.set("weather", weather);
 *     await redirectCall({ client, callSid: session.callSid, to: weatherReportState, urlFor });
 *   });
 * }
 */
export async function redirectCall(options: RedirectCallOptions): Promise<unknown> {
  const { client, callSid, to, urlFor } = options;
  if (typeof callSid !== "string" || callSid === "") throw new TypeError(`redirectCall: callSid must be the call's CallSid, got ${JSON.stringify(callSid)}`);
  if (typeof urlFor !== "function") throw new TypeError("redirectCall: urlFor must be the urlFor function your state was given");
  let path: string;
  if (typeof to === "string") {
    path = to;
  } else if (isRoutableState(to)) {
    path = to.uri;
  } else {
    throw new TypeError(`redirectCall: state "${stateName(to)}" has no \`uri\`, so Twilio cannot be sent to it; give it a uri (and list it in twilioIvr's states)`);
  }
  if (!path.startsWith("/")) throw new TypeError(`redirectCall: the path must start with "/", got ${JSON.stringify(path)}`);
  if (isPathPattern(path)) {
    // Twilio would request the pattern literally (e.g. `/calls/:id`), so the state would see ":id".
    throw new TypeError(`redirectCall: ${JSON.stringify(path)} is an Express path pattern; pass the concrete path to request instead (e.g. "/calls/42")`);
  }
  // A state route, not a static file: never fingerprinted, always absolute (Twilio needs the full URL).
  const url = urlFor(path, { absolute: true, fingerprint: false });
  return client.calls(callSid).update({ url, method: "POST" });
}
