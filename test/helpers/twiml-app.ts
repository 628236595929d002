import express from "express";
import type { Express, Request } from "express";
import type { TranscriptEntry } from "../../src/testing";

/** One request a {@link twimlApp} received, as the app saw it. */
export interface ReceivedRequest {
  method: string;
  /** Path without the query, e.g. `/menu`. */
  path: string;
  /** The path and query exactly as requested (`req.originalUrl`). */
  url: string;
  query: Record<string, string>;
  /** The parsed form body (`{}` for a GET or a body that is not form-encoded). */
  body: Record<string, string>;
  /** Request headers, names lower-cased. */
  headers: Record<string, string | undefined>;
}

/** A fixed answer: a status, a content type and a body. */
export interface Reply {
  status?: number;
  /** Default `text/xml; charset=utf-8`. */
  type?: string;
  body: string;
}

/**
 * What a path answers: TwiML text (200, text/xml), a {@link Reply}, or a function of the request
 * (and how many requests that path had before) returning either.
 */
export type Route = string | Reply | ((req: ReceivedRequest, count: number) => string | Reply);

export interface TwimlApp {
  /** The Express app: pass it to `simulateCall`, or `listen()` on it. */
  app: Express;
  /** Every request received, in order (unknown paths included: they get 404). */
  requests: ReceivedRequest[];
  /** The requests received on `path` (compared without the query). */
  requestsTo(path: string): ReceivedRequest[];
  /** Paths requested, in order, each as `METHOD /path`. */
  log(): string[];
}

/** `<Response>` with an XML declaration around `inner`. */
export function twiml(inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>`;
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== "object" || value === null) return out;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return out;
}

function received(req: Request): ReceivedRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  return {
    method: req.method,
    path: req.path,
    url: req.originalUrl,
    query: stringRecord(req.query),
    body: stringRecord(req.body),
    headers,
  };
}

/**
 * A tiny app answering fixed raw TwiML per path (any method) and recording every request it
 * receives, to assert exactly what the simulator sent.
 */
export function twimlApp(routes: Readonly<Record<string, Route>>): TwimlApp {
  const requests: ReceivedRequest[] = [];
  const counts = new Map<string, number>();
  const app = express();
  app.set("query parser", "simple");
  app.use(express.urlencoded({ extended: false }));
  app.use((req, res) => {
    const seen = received(req);
    requests.push(seen);
    const route = Object.hasOwn(routes, req.path) ? routes[req.path] : undefined;
    if (route === undefined) {
      res.status(404).type("text/plain").send(`no route for ${req.method} ${req.path}`);
      return;
    }
    const count = counts.get(req.path) ?? 0;
    counts.set(req.path, count + 1);
    const answer = typeof route === "function" ? route(seen, count) : route;
    const reply: Reply = typeof answer === "string" ? { body: answer } : answer;
    res
      .status(reply.status ?? 200)
      .type(reply.type ?? "text/xml; charset=utf-8")
      .send(reply.body);
  });
  return {
    app,
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    log: () => requests.map((r) => `${r.method} ${r.path}`),
  };
}

/** The transcript without the request entries: what the caller experienced. */
export function heard(entries: readonly TranscriptEntry[]): TranscriptEntry[] {
  return entries.filter((e) => e.type !== "request");
}
