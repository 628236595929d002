import twilio from "twilio";
import type { Express } from "express";
import twilioIvr from "../../src";
import type { Config, State } from "../../src";

const { getExpectedTwilioSignature } = twilio;

export const AUTH_TOKEN = "test-auth-token-0123456789abcdef";
export const PUBLIC_HOST = "ivr.example.com";

/** A config with validation off; `overrides` are merged shallowly. */
export function devConfig(overrides: Partial<Config> = {}): Config {
  return {
    twilio: { authToken: "", validate: false },
    urlFor: { host: () => PUBLIC_HOST },
    ...overrides,
  };
}

/** A config that validates signatures with {@link AUTH_TOKEN}. */
export function validatingConfig(overrides: Partial<Config> = {}): Config {
  return {
    twilio: { authToken: AUTH_TOKEN },
    urlFor: { host: () => PUBLIC_HOST },
    ...overrides,
  };
}

export function buildApp(states: readonly State[], config: Config = devConfig()): Express {
  return twilioIvr(states, config);
}

/** Signs a request the way Twilio does, with the twilio package's own function. */
export function sign(url: string, params: Record<string, string> = {}, authToken = AUTH_TOKEN): string {
  return getExpectedTwilioSignature(authToken, url, params);
}

/** Simple end state rendering fixed TwiML. */
export function endState(name: string, twiml = `<Response><Say>${name}</Say><Hangup/></Response>`): State {
  return { name, isEndState: true, twimlFor: () => twiml };
}
