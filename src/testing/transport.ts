import http from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import { Duplex } from "node:stream";
import twilio from "twilio";
import { errorMessage } from "../error-message";

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

const ABSOLUTE_URL = /^(https?):\/\/([^/?#]*)([^#]*)/i;

interface ParsedUrl {
  /** The URL as signed and reported: scheme://authority/path?query, fragment removed. */
  href: string;
  protocol: "http:" | "https:";
  /** Host header value, e.g. `localhost:3000`. */
  authority: string;
  hostname: string;
  port: string;
  /** Request target exactly as written, e.g. `/menu?x=1`. */
  path: string;
}

/** Splits an absolute http(s) URL without normalising it, so the signature covers the exact characters sent. */
function parseAbsoluteUrl(raw: string): ParsedUrl {
  const match = ABSOLUTE_URL.exec(raw);
  if (match === null) throw new TypeError(`webhook URL must be absolute http(s): ${JSON.stringify(raw)}`);
  const [, scheme = "", authority = "", rest = ""] = match;
  if (authority === "" || authority.includes("@")) {
    throw new TypeError(`webhook URL must have a host and no user info: ${JSON.stringify(raw)}`);
  }
  const parsed = new URL(`${scheme}://${authority}/`);
  const path = rest.startsWith("/") ? rest : `/${rest}`;
  const protocol = scheme.toLowerCase() === "https" ? "https:" : "http:";
  return {
    href: `${scheme}://${authority}${path}`,
    protocol,
    authority,
    hostname: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: parsed.port,
    path,
  };
}

function originOf(value: string | URL, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${what} must be an absolute http(s) URL, got ${JSON.stringify(String(value))}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`${what} must be an http(s) URL, got ${JSON.stringify(url.href)}`);
  }
  return url.origin;
}

function appendQuery(url: string, query: string): string {
  if (query === "") return url;
  if (!url.includes("?")) return `${url}?${query}`;
  return url.endsWith("?") || url.endsWith("&") ? `${url}${query}` : `${url}&${query}`;
}

/** One end of an in-memory connection: what it writes, its peer reads. */
class PipeEnd extends Duplex {
  peer: PipeEnd | undefined;
  // What http's client and server call on a net.Socket; nothing to do in memory.
  readonly remoteAddress = "127.0.0.1";
  readonly remotePort = 0;
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  override _read(): void {
    // Data is pushed by the peer's writes.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // Deliver on a later tick, as a socket would: the peer never runs inside the writer's call stack.
    process.nextTick(() => {
      const peer = this.peer;
      if (peer !== undefined && !peer.destroyed) peer.push(chunk);
      callback();
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    process.nextTick(() => {
      this.endPeer();
      callback();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Like a closed socket: the peer reads end-of-stream after what was already sent.
    process.nextTick(() => {
      this.endPeer();
    });
    callback(error);
  }

  private endPeer(): void {
    const peer = this.peer;
    if (peer !== undefined && !peer.destroyed && !peer.readableEnded) peer.push(null);
  }
}

function pipePair(): [PipeEnd, PipeEnd] {
  const client = new PipeEnd();
  const server = new PipeEnd();
  client.peer = server;
  server.peer = client;
  return [client, server];
}

interface Exchange {
  abort(error: Error): void;
}

/**
 * Creates the transport the call simulator sends webhooks with.
 * @param target - a `(req, res) => void` listener such as an Express app (used in-process, no port
 *   is opened), or the URL of a running server (its origin becomes `baseUrl`).
 * @throws TypeError for a target or option that cannot work.
 */
export function createTransport(target: SimulatorTarget, options: TransportOptions = {}): Transport {
  const { authToken, userAgent = DEFAULT_USER_AGENT, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`);
  }
  if (authToken !== undefined && (typeof authToken !== "string" || authToken === "")) {
    // Describe the type only: never echo a token.
    throw new TypeError(`authToken must be a non-empty string when given, got ${authToken === "" ? "an empty string" : typeof authToken}`);
  }

  let server: http.Server | undefined;
  let baseUrl: string;
  if (typeof target === "function") {
    server = http.createServer(target);
    baseUrl = options.baseUrl === undefined ? "http://localhost" : originOf(options.baseUrl, "baseUrl");
  } else if (typeof target === "string" || target instanceof URL) {
    baseUrl = originOf(options.baseUrl ?? target, options.baseUrl === undefined ? "target" : "baseUrl");
  } else {
    throw new TypeError(`target must be a request listener (e.g. an Express app) or a URL, got ${target === null ? "null" : typeof target}`);
  }

  const inFlight = new Set<Exchange>();
  let closed = false;

  function connect(url: ParsedUrl): http.RequestOptions {
    if (server === undefined) {
      return {
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port === "" ? undefined : url.port,
        agent: false,
      };
    }
    const app = server;
    // Called by http.request only once the request is valid, so a refused request leaves nothing behind.
    return {
      createConnection: () => {
        const [clientEnd, serverEnd] = pipePair();
        app.emit("connection", serverEnd);
        return clientEnd;
      },
    };
  }

  function send(request: WebhookRequest): Promise<WebhookResponse> {
    if (closed) return Promise.reject(new Error("transport is closed"));
    const { method, params } = request;
    if (method !== "GET" && method !== "POST") {
      return Promise.reject(new TypeError(`method must be "GET" or "POST", got ${JSON.stringify(method)}`));
    }
    let url: ParsedUrl;
    let form: string;
    try {
      const absolute = typeof request.url === "string" && request.url.startsWith("/") ? `${baseUrl}${request.url}` : request.url;
      form = new URLSearchParams(params).toString();
      url = parseAbsoluteUrl(method === "GET" ? appendQuery(absolute.replace(/#.*$/s, ""), form) : absolute);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }

    const headers: http.OutgoingHttpHeaders = {
      host: url.authority,
      "user-agent": userAgent,
      accept: "*/*",
    };
    if (method === "POST") {
      headers["content-type"] = "application/x-www-form-urlencoded";
      headers["content-length"] = Buffer.byteLength(form);
    }
    if (authToken !== undefined) {
      headers["x-twilio-signature"] = twilio.getExpectedTwilioSignature(authToken, url.href, method === "GET" ? {} : { ...params });
    }

    const label = `${method} ${url.href}`;
    return new Promise<WebhookResponse>((resolve, reject) => {
      const requestOptions: http.RequestOptions = { method, path: url.path, headers };
      let client: http.ClientRequest;
      try {
        // Throws for what Node refuses to send, e.g. a path with unescaped spaces.
        const options = { ...connect(url), ...requestOptions };
        client = url.protocol === "https:" && server === undefined ? https.request(options) : http.request(options);
      } catch (err) {
        reject(new Error(`${label} failed: ${errorMessage(err)}`, { cause: err }));
        return;
      }
      let settled = false;
      const exchange: Exchange = {
        abort: (error) => {
          finish(error);
        },
      };
      const timer = setTimeout(() => {
        finish(new Error(`${label}: no complete response within ${timeoutMs} ms`));
      }, timeoutMs);
      inFlight.add(exchange);

      function finish(error: Error | undefined, response?: WebhookResponse): void {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        inFlight.delete(exchange);
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
          finish(undefined, {
            status: res.statusCode ?? 0,
            headers: { ...res.headers },
            body: Buffer.concat(chunks).toString("utf8"),
            url: url.href,
          });
        });
      });
      client.end(method === "POST" ? form : undefined);
    });
  }

  return {
    baseUrl,
    send,
    close(): Promise<void> {
      closed = true;
      for (const exchange of [...inFlight]) exchange.abort(new Error("transport closed while a request was in flight"));
      return Promise.resolve();
    },
  };
}
