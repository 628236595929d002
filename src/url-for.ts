import querystring from "node:querystring";
import type { Request } from "express";
import { UrlForError } from "./errors";
import type { Fingerprinter } from "./fingerprint";
import type { UrlFor, UrlForOptions } from "./types";

/** What `urlFor` needs besides the request; fixed for the app's lifetime. */
export interface UrlForSettings {
  fingerprinter: Fingerprinter | undefined;
  host: (req: Request) => string;
  scheme: ((req: Request) => string) | undefined;
}

function appendQuery(url: string, query: NonNullable<UrlForOptions["query"]>): string {
  const defined: Record<string, string | number | boolean | readonly (string | number | boolean)[]> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) defined[key] = value;
  }
  const encoded = querystring.stringify(defined);
  if (encoded === "") return url;
  return `${url}${url.includes("?") ? "&" : "?"}${encoded}`;
}

/**
 * Builds the `urlFor` function handed to states for one request.
 * @param req - the request being answered; consulted only for absolute URLs.
 */
export function createUrlFor(req: Request, settings: UrlForSettings): UrlFor {
  return function urlFor(path: string, options: UrlForOptions = {}): string {
    if (typeof path !== "string") {
      throw new UrlForError(`urlFor: the path must be a string, got ${typeof path}`);
    }
    const { query, absolute = false } = options;
    const fingerprint = options.fingerprint ?? (settings.fingerprinter !== undefined && query === undefined);
    if (fingerprint && query !== undefined) {
      throw new UrlForError(
        `urlFor(${JSON.stringify(path)}): \`fingerprint\` and \`query\` cannot be combined; a fingerprinted URL carries only its version parameter`,
      );
    }

    let url: string;
    if (fingerprint) {
      if (settings.fingerprinter === undefined) {
        throw new UrlForError(
          `urlFor(${JSON.stringify(path)}): \`fingerprint: true\` needs config.staticFiles (\`path\` or \`fingerprintUrl\`) to be set`,
        );
      }
      url = settings.fingerprinter(path);
    } else {
      url = query === undefined ? path : appendQuery(path, query);
    }

    if (!absolute) return url;
    const scheme = options.scheme ?? settings.scheme?.(req) ?? req.protocol;
    const host = options.host ?? settings.host(req);
    return `${scheme}://${host}${url.startsWith("/") ? "" : "/"}${url}`;
  };
}
