import { parseArgs } from "node:util";

/** The program's name, as installed in node_modules/.bin. */
export const PROGRAM = "twilio-interactive-flow";

/** The entry webhook called when the URL has no path and `--uri` is not given. */
export const DEFAULT_URI = "/incoming-call";

export const USAGE = `Usage: ${PROGRAM} call <url> [options]

A terminal phone: calls a running phone tree the way Twilio would, prints what the
caller hears, and reads the caller's keys from the terminal or from a pipe.

  <url>                    the server, with the path of the first webhook:
                           http://localhost:3000/incoming-call
                           (a URL without a path calls ${DEFAULT_URI})

Options:
  --from <number>          the caller's number (default +15005550006)
  --to <number>            the number called (default +15005550001)
  --uri <path>             path of the first webhook (default: the URL's path)
  --auth-token <token>     sign every request with X-Twilio-Signature, as Twilio does
                           (default: the TWILIO_AUTH_TOKEN environment variable)
  --status-callback <url>  path or URL that gets the "completed" status callback
  --verbose                also print every HTTP request and its status
  -h, --help               show this help
  --version                show the version

When the call waits for you, type a line:
  1   123#   *   #         press keys (digits, * and #)
  say <words>              speak (at a <Gather input="speech">)
  (an empty line)          stay silent: the <Gather> times out
  hangup                   hang up (end of input, Ctrl+D, does too)

Exit codes: 0 the call ended, 1 a step failed (the Twilio error code is printed)
or the server cannot be reached, 2 wrong usage.

Scripted call:
  printf '1\\n1\\n\\n' | ${PROGRAM} call http://localhost:3000/incoming-call`;

/** Wrong command-line usage: exit code 2, with the usage text. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** What `call` needs; see {@link parseCommandLine}. */
export interface CallCommand {
  /** Origin of the server, e.g. `http://localhost:3000`. */
  origin: string;
  /** The first webhook: a path (with query, if any) or an absolute URL. */
  uri: string;
  from: string | undefined;
  to: string | undefined;
  /** Never printed. */
  authToken: string | undefined;
  statusCallback: string | undefined;
  verbose: boolean;
}

export type Command = { kind: "help" } | { kind: "version" } | { kind: "call"; call: CallCommand };

const OPTIONS = {
  from: { type: "string" },
  to: { type: "string" },
  uri: { type: "string" },
  "auth-token": { type: "string" },
  "status-callback": { type: "string" },
  verbose: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

/** The server's origin and the URL's path (undefined when it has none). */
export function splitServerUrl(raw: string): { origin: string; path: string | undefined } {
  const text = raw.trim();
  // "localhost:3000/incoming-call" means http://localhost:3000/incoming-call.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`<url> must be a URL like http://localhost:3000${DEFAULT_URI}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`<url> must be an http or https URL, not ${url.protocol}`);
  }
  if (url.username !== "" || url.password !== "") {
    // Not echoed: user info may hold a secret.
    throw new UsageError("<url> must not contain a user name or password");
  }
  const path = url.pathname === "/" && url.search === "" ? undefined : `${url.pathname}${url.search}`;
  return { origin: url.origin, path };
}

function normaliseUri(uri: string): string {
  const text = uri.trim();
  if (text === "") throw new UsageError("--uri must not be empty");
  if (/^https?:\/\//i.test(text) || text.startsWith("/")) return text;
  return `/${text}`;
}

/** An option's value; an empty string counts as not given. */
function given(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/**
 * Parses `call <url> [options]`. `--help` anywhere wins over everything else.
 * @throws UsageError for anything that cannot be run; its message never contains the auth token.
 */
export function parseCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Command {
  const beforeDashes = argv.includes("--") ? argv.slice(0, argv.indexOf("--")) : argv;
  if (beforeDashes.includes("--help") || beforeDashes.includes("-h")) return { kind: "help" };

  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    // Node's messages name the option, never its value; keep their first sentence.
    const message = err instanceof Error ? err.message.split(/\.\s|\n/)[0] ?? err.message : String(err);
    throw new UsageError(message.replace(/\.$/, ""));
  }
  const { values, positionals } = parsed;
  if (values.version === true) return { kind: "version" };

  const [command, url, ...extra] = positionals;
  if (command === undefined) throw new UsageError("missing command: call");
  if (command !== "call") {
    // Not echoed: it could be a misplaced secret.
    throw new UsageError('unknown command: the only command is "call"');
  }
  if (url === undefined || url.trim() === "") throw new UsageError("missing <url>, e.g. http://localhost:3000/incoming-call");
  if (extra.length > 0) throw new UsageError(`too many arguments: expected only <url> after "call", got ${extra.length} more`);

  const server = splitServerUrl(url);
  const uriOption = values.uri;
  return {
    kind: "call",
    call: {
      origin: server.origin,
      uri: uriOption !== undefined ? normaliseUri(uriOption) : (server.path ?? DEFAULT_URI),
      from: given(values.from),
      to: given(values.to),
      // An explicit empty --auth-token turns signing off even when TWILIO_AUTH_TOKEN is set.
      authToken: values["auth-token"] !== undefined ? given(values["auth-token"]) : given(env.TWILIO_AUTH_TOKEN),
      statusCallback: given(values["status-callback"]),
      verbose: values.verbose === true,
    },
  };
}
