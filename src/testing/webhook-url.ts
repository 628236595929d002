// URL handling of the simulator's transport: exact, unnormalised, so a signature covers the very
// characters sent.

const ABSOLUTE_URL = /^(https?):\/\/([^/?#]*)([^#]*)/i;

export interface ParsedUrl {
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
export function parseAbsoluteUrl(raw: string): ParsedUrl {
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

export function originOf(value: string | URL, what: string): string {
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

export function appendQuery(url: string, query: string): string {
  if (query === "") return url;
  if (!url.includes("?")) return `${url}?${query}`;
  return url.endsWith("?") || url.endsWith("&") ? `${url}${query}` : `${url}&${query}`;
}
