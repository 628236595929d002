import crypto from "node:crypto";

/** A Twilio-shaped SID: two-letter prefix and 32 hex digits. */
export function makeSid(prefix: "CA" | "AC" | "RE" | "QU"): string {
  return `${prefix}${crypto.randomBytes(16).toString("hex")}`;
}

/** Who is calling whom; fixed for the call. */
export interface CallIdentity {
  callSid: string;
  accountSid: string;
  from: string;
  to: string;
}

/**
 * The parameters Twilio sends on every voice webhook of an inbound call.
 * @param status - `ringing` on the first request, `in-progress` afterwards, `completed` at the end.
 */
export function voiceParams(identity: CallIdentity, status: "ringing" | "in-progress" | "completed"): Record<string, string> {
  return {
    AccountSid: identity.accountSid,
    ApiVersion: "2010-04-01",
    CallSid: identity.callSid,
    CallStatus: status,
    Called: identity.to,
    Caller: identity.from,
    Direction: "inbound",
    From: identity.from,
    To: identity.to,
  };
}
