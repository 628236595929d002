import type { WebhookHandler } from "../routing/pipeline";
import { log } from "../logger";
import type { SessionStore } from "./store";

/** Call statuses after which Twilio sends nothing more for the call. */
const FINAL_STATUSES = new Set(["completed", "busy", "failed", "no-answer", "canceled"]);

/**
 * Twilio's call status callback: when the call has ended, its session data is deleted. Answers
 * 204 (Twilio reads no body); 400 without a CallSid, which Twilio always sends.
 */
export function createStatusCallbackHandler(store: SessionStore): WebhookHandler {
  return async function statusCallback({ input, req }) {
    const callSid = input.CallSid;
    if (typeof callSid !== "string" || callSid === "") {
      log.warn("status callback %s without a CallSid", req.originalUrl);
      return { status: 400, body: "Missing CallSid.", contentType: "text/plain; charset=utf-8" };
    }
    const status = input.CallStatus;
    if (typeof status === "string" && FINAL_STATUSES.has(status)) {
      await store.destroy(callSid);
      log.info("call %s ended (%s): session deleted", callSid, status);
    }
    return { status: 204 };
  };
}
