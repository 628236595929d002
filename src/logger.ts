import createDebug from "debug";

/** Silent unless enabled with DEBUG=twilio-interactive-flow:* . Never pass secrets here. */
export const log = {
  info: createDebug("twilio-interactive-flow:info"),
  warn: createDebug("twilio-interactive-flow:warn"),
  error: createDebug("twilio-interactive-flow:error"),
};
