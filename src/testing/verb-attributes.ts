import type { WebhookRequest } from "./transport";
import type { TwimlNode } from "./twiml-node";

/** An HTTP method Twilio requests a URL with. */
export type Method = WebhookRequest["method"];

/** A `method`-like attribute: GET or POST in any case, else `fallback` (Twilio's default is POST). */
export function methodOf(value: string | undefined, fallback: Method = "POST"): Method {
  return value?.toUpperCase() === "GET" ? "GET" : value?.toUpperCase() === "POST" ? "POST" : fallback;
}

/** A numeric attribute, or `fallback` when it is missing, blank or not a finite number. */
export function intAttribute(node: TwimlNode, name: string, fallback: number): number {
  const raw = node.attributes[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  return Number.isFinite(value) ? value : fallback;
}

/** A `true`/`false` attribute in any case, or `fallback` when it is missing or anything else. */
export function boolAttribute(node: TwimlNode, name: string, fallback: boolean): boolean {
  const raw = node.attributes[name]?.toLowerCase();
  return raw === "true" ? true : raw === "false" ? false : fallback;
}
