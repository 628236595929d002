import http from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import { errorMessage } from "../error-message";
// Only twilio's webhooks module: its public entry would load the REST client too.
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks.js";
import { processTraceKey, TRACE_HEADER } from "../trace";
import { pipePair } from "./in-memory-socket";
import { appendQuery, originOf, parseAbsoluteUrl, type ParsedUrl } from "./webhook-url";

/**
 * What the simulator calls: a Node request listener (an Express app, used in-process without
 * listening on a port), or the base URL of a running server.
 */
export type SimulatorTarget = ((req: IncomingMessage, res: ServerResponse) => void) | string | URL;

/** One webhook request, as Twilio would make it. */
export interface WebhookRequest {
  method: "GET" | "POST";
  /** Absolute URL Twilio would call (scheme://host/path?query). A path starting with `/` is resolved against `baseUrl`. */
  url: string;
  /** Form parameters Twilio sends: the POST body, or appended to the query string for GET. */
  params: Readonly<Record<string, string>>;
}

/** What the app answered. */
export interface WebhookResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body decoded as UTF-8. */
  body: string;
  /** The absolute URL requested (for GET, with the params in its query string). */
  url: string;
}

export interface Transport {
  /** Base URL webhooks are resolved against, e.g. "http://localhost" for in-process apps. */
  readonly baseUrl: string;
  send(request: WebhookRequest): Promise<WebhookResponse>;
  /** Aborts requests still in flight (they reject) and refuses further ones. */
  close(): Promise<void>;
}

export interface TransportOptions {
  /** When set, every request carries `X-Twilio-Signature` computed with this token. Never logged. */
  authToken?: string;
  /**
   * Origin webhooks are resolved against and, in-process, the Host the app sees.
   * Defaults to the target URL's origin, or "http://localhost" for an in-process app.
   * In-process the app always sees plain HTTP (`req.protocol` is "http"): with an https base URL,
   * an app that checks signatures must take the scheme from its config (`urlFor.scheme`).
   */
  baseUrl?: string;
  /** How long one request may take, response body included, before it fails. Default 10 000 ms. */
  timeoutMs?: number;
  /** Default "TwilioProxy/1.1", as Twilio sends. */
  userAgent?: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_USER_AGENT = "TwilioProxy/1.1";
/** Largest response body accepted; TwiML documents are far smaller. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

interface Exchange {
  abort(error: Error): void;
}

/** Where requests go: an in-process listener (no port) or the network. */
type Connector = (url: ParsedUrl) => http.RequestOptions;

function checkOptions(options: TransportOptions): { authToken: string | undefined; userAgent: string; timeoutMs: number } {
  const { authToken, userAgent = DEFAULT_USER_AGENT, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`);
  }
  if (authToken !== undefined && (typeof authToken !== "string" || authToken === "")) {
    // Describe the type only: never echo a token.
    throw new TypeError(`authToken must be a non-empty string when given, got ${authToken === "" ? "an empty string" : typeof authToken}`);
  }
  return { authToken, userAgent, timeoutMs };
}

/** The base URL and the way to reach the target. */
function resolveTarget(target: SimulatorTarget, baseUrlOption: string | undefined): { baseUrl: string; connect: Connector } {
  if (typeof target === "function") {
    const server = http.createServer(target);
    return {
      baseUrl: baseUrlOption === undefined ? "http://localhost" : originOf(baseUrlOption, "baseUrl"),
      // Called by http.request only once the request is valid, so a refused request leaves nothing behind.
      connect: () => ({
        createConnection: () => {
          const [clientEnd, serverEnd] = pipePair();
          server.emit("connection", serverEnd);
          return clientEnd;
        },
      }),
    };
  }
  if (typeof target === "string" || target instanceof URL) {
    return {
      baseUrl: originOf(baseUrlOption ?? target, baseUrlOption === undefined ? "target" : "baseUrl"),
      connect: (url) => ({ protocol: url.protocol, hostname: url.hostname, port: url.port === "" ? undefined : url.port, agent: false }),
    };
  }
  throw new TypeError(`target must be a request listener (e.g. an Express app) or a URL, got ${target === null ? "null" : typeof target}`);
}

/** True for a host name of this machine's loopback interface. */
function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || hostname === "::1" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * The wire form of a webhook: its exact URL, form body and headers (signed when a token is given).
 * A request that stays in this process or on this machine asks the app for its trace (the states
 * it went through) with the process's trace key; an app in another process ignores the key.
 */
function prepare(
  request: WebhookRequest,
  baseUrl: string,
  settings: { authToken: string | undefined; userAgent: string; inProcess: boolean },
): { url: ParsedUrl; form: string; headers: http.OutgoingHttpHeaders } {
  const { method, params } = request;
  const absolute = typeof request.url === "string" && request.url.startsWith("/") ? `${baseUrl}${request.url}` : request.url;
  const form = new URLSearchParams(params).toString();
  const url = parseAbsoluteUrl(method === "GET" ? appendQuery(absolute.replace(/#.*$/s, ""), form) : absolute);
  const headers: http.OutgoingHttpHeaders = { host: url.authority, "user-agent": settings.userAgent, accept: "*/*" };
  if (method === "POST") {
    headers["content-type"] = "application/x-www-form-urlencoded";
    headers["content-length"] = Buffer.byteLength(form);
  }
  if (settings.authToken !== undefined) {
    headers["x-twilio-signature"] = getExpectedTwilioSignature(settings.authToken, url.href, method === "GET" ? {} : params);
  }
  if (settings.inProcess || isLoopback(url.hostname)) headers[TRACE_HEADER] = processTraceKey();
  return { url, form, headers };
}

/**
 * Sends one request and reads the whole answer, within `timeoutMs` and {@link MAX_RESPONSE_BYTES}.
 * Registers itself in `inFlight` so that closing the transport aborts it.
 */
function exchange(
  options: http.RequestOptions,
  secure: boolean,
  body: string | undefined,
  label: string,
  href: string,
  timeoutMs: number,
  inFlight: Set<Exchange>,
): Promise<WebhookResponse> {
  return new Promise<WebhookResponse>((resolve, reject) => {
    let client: http.ClientRequest;
    try {
      // Throws for what Node refuses to send, e.g. a path with unescaped spaces.
      client = secure ? https.request(options) : http.request(options);
    } catch (err) {
      reject(new Error(`${label} failed: ${errorMessage(err)}`, { cause: err }));
      return;
    }
    let settled = false;
    const entry: Exchange = { abort: (error) => { finish(error); } };
    const timer = setTimeout(() => {
      finish(new Error(`${label}: no complete response within ${timeoutMs} ms`));
    }, timeoutMs);
    inFlight.add(entry);

    function finish(error: Error | undefined, response?: WebhookResponse): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      inFlight.delete(entry);
      if (error !== undefined) {
        client.destroy();
        client.socket?.destroy();
        reject(error);
      } else if (response !== undefined) {
        resolve(response);
      }
    }

    client.on("error", (err) => {
      finish(new Error(`${label} failed: ${err.message}`, { cause: err }));
    });
    client.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          finish(new Error(`${label}: response body exceeds ${MAX_RESPONSE_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", (err) => {
        finish(new Error(`${label} failed while reading the response: ${err.message}`, { cause: err }));
      });
      res.on("aborted", () => {
        finish(new Error(`${label}: the connection closed before the response was complete`));
      });
      res.on("end", () => {
        finish(undefined, { status: res.statusCode ?? 0, headers: { ...res.headers }, body: Buffer.concat(chunks).toString("utf8"), url: href });
      });
    });
    client.end(body);
  });
}

/**
 * Creates the transport the call simulator sends webhooks with.
 * @param target - a `(req, res) => void` listener such as an Express app (used in-process, no port
 *   is opened), or the URL of a running server (its origin becomes `baseUrl`).
 * @throws TypeError for a target or option that cannot work.
 */
export function createTransport(target: SimulatorTarget, options: TransportOptions = {}): Transport {
  const settings = checkOptions(options);
  const { baseUrl, connect } = resolveTarget(target, options.baseUrl);
  const inProcess = typeof target === "function";
  const inFlight = new Set<Exchange>();
  let closed = false;

  function send(request: WebhookRequest): Promise<WebhookResponse> {
    if (closed) return Promise.reject(new Error("transport is closed"));
    const { method } = request;
    if (method !== "GET" && method !== "POST") {
      return Promise.reject(new TypeError(`method must be "GET" or "POST", got ${JSON.stringify(method)}`));
    }
    let prepared: ReturnType<typeof prepare>;
    try {
      prepared = prepare(request, baseUrl, { ...settings, inProcess });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const { url, form, headers } = prepared;
    const requestOptions: http.RequestOptions = { ...connect(url), method, path: url.path, headers };
    const secure = url.protocol === "https:" && !inProcess;
    return exchange(requestOptions, secure, method === "POST" ? form : undefined, `${method} ${url.href}`, url.href, settings.timeoutMs, inFlight);
  }

  return {
    baseUrl,
    send,
    close(): Promise<void> {
      closed = true;
      for (const entry of [...inFlight]) entry.abort(new Error("transport closed while a request was in flight"));
      return Promise.resolve();
    },
  };
}
