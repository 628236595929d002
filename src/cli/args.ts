import { parseArgs } from "node:util";
import { DEFAULT_MAX_STEPS } from "../testing/flow/map-flow";

/** The program's name, as installed in node_modules/.bin. */
export const PROGRAM = "twilio-interactive-flow";

/** The entry webhook called when the URL has no path and `--uri` is not given. */
export const DEFAULT_URI = "/incoming-call";

export const USAGE = `Usage: ${PROGRAM} call <url> [options]
       ${PROGRAM} map <url> [options]

${PROGRAM} call <url>

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
  printf '1\\n1\\n\\n' | ${PROGRAM} call http://localhost:3000/incoming-call

${PROGRAM} map <url>

Draws the phone tree's map: explores it with simulated calls, breadth first (each menu
key and phrase, one key at a time at other Gathers, silence), and writes the states and
the caller's moves between them. The server should be created with \`trace: true\`
(otherwise its pages are drawn instead of its states). Exploring runs your states for real,
background work and side effects included: point it at a server with stand-in services.

  <url>                    the voice webhook, as for call

Options:
  --format <format>        svg, html (a page with the SVG drawing), dot (Graphviz) or mermaid;
                           default from --out's extension (.svg, .html, .dot/.gv,
                           .mmd/.md), else dot
  --out <file>             write the map there (default: standard output)
  --coverage <dir>         mark what the calls recorded in <dir> did not walk (a folder the
                           tests filled with TWILIO_FLOW_COVERAGE=<dir>) and print the
                           percentages of states and edges covered
  --title <text>           heading of the drawing (dot, svg, html)
  --auth-token <token>     sign every request (default: TWILIO_AUTH_TOKEN)
  --max-steps <n>          caller actions to simulate at most (default ${DEFAULT_MAX_STEPS})
  --pause-ms <n>           milliseconds waited per second of <Pause> (default 0); raise it
                           when the tree polls for background work

A summary (nodes, edges, steps) goes to standard error. Exit codes: 0 mapped, 1 the server
cannot be reached or a path of the tree fails (the map is still written), 2 wrong usage.

  ${PROGRAM} map http://localhost:3000/incoming-call --out flow.html
  ${PROGRAM} map http://localhost:3000/incoming-call --coverage coverage/flow --out flow.svg`;

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

/** The drawings `map` writes. */
export type MapFormat = "svg" | "html" | "dot" | "mermaid";

/** What `map` needs; see {@link parseCommandLine}. */
export interface MapCommand {
  /** Origin of the server, e.g. `http://localhost:3000`. */
  origin: string;
  /** The voice webhook exploration starts at: a path (with query, if any). */
  uri: string;
  format: MapFormat;
  /** File to write; undefined: standard output. */
  out: string | undefined;
  /** Folder of recorded walks to mark coverage from. */
  coverage: string | undefined;
  title: string | undefined;
  /** Never printed. */
  authToken: string | undefined;
  maxSteps: number | undefined;
  pauseMs: number | undefined;
}

export type Command = { kind: "help" } | { kind: "version" } | { kind: "call"; call: CallCommand } | { kind: "map"; map: MapCommand };

const OPTIONS = {
  from: { type: "string" },
  to: { type: "string" },
  uri: { type: "string" },
  "auth-token": { type: "string" },
  "status-callback": { type: "string" },
  verbose: { type: "boolean" },
  format: { type: "string" },
  out: { type: "string" },
  coverage: { type: "string" },
  title: { type: "string" },
  "max-steps": { type: "string" },
  "pause-ms": { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

type OptionName = keyof typeof OPTIONS;

/** The options each command takes (help and version aside). */
const COMMAND_OPTIONS: Readonly<Record<"call" | "map", readonly OptionName[]>> = {
  call: ["from", "to", "uri", "auth-token", "status-callback", "verbose"],
  map: ["format", "out", "coverage", "title", "auth-token", "max-steps", "pause-ms"],
};

const FORMATS: readonly MapFormat[] = ["svg", "html", "dot", "mermaid"];

/** The format each output file extension implies. */
const FORMAT_OF_EXTENSION: Readonly<Record<string, MapFormat>> = { svg: "svg", html: "html", htm: "html", dot: "dot", gv: "dot", mmd: "mermaid", md: "mermaid" };

/** The format an output file's extension implies, if any. */
export function formatOfFile(file: string): MapFormat | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(file)?.[1]?.toLowerCase();
  return ext !== undefined && Object.hasOwn(FORMAT_OF_EXTENSION, ext) ? FORMAT_OF_EXTENSION[ext] : undefined;
}

/** A whole number option within bounds. */
function integerOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${name} must be a whole number${min > 0 ? ` of at least ${min}` : ""}`);
  }
  return Number(text);
}

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
 * Parses `call <url> [options]` or `map <url> [options]`. `--help` anywhere wins over everything else.
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
  if (command === undefined) throw new UsageError("missing command: call or map");
  if (command !== "call" && command !== "map") {
    // Not echoed: it could be a misplaced secret.
    throw new UsageError('unknown command: the commands are "call" and "map"');
  }
  for (const name of Object.keys(values) as OptionName[]) {
    if (name !== "help" && name !== "version" && !COMMAND_OPTIONS[command].includes(name)) {
      throw new UsageError(`--${name} is not an option of ${command}`);
    }
  }
  if (url === undefined || url.trim() === "") throw new UsageError("missing <url>, e.g. http://localhost:3000/incoming-call");
  if (extra.length > 0) throw new UsageError(`too many arguments: expected only <url> after "${command}", got ${extra.length} more`);

  const server = splitServerUrl(url);
  // An explicit empty --auth-token turns signing off even when TWILIO_AUTH_TOKEN is set.
  const authToken = values["auth-token"] !== undefined ? given(values["auth-token"]) : given(env.TWILIO_AUTH_TOKEN);
  if (command === "map") {
    const out = given(values.out);
    const format = given(values.format)?.toLowerCase();
    if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}`);
    return {
      kind: "map",
      map: {
        origin: server.origin,
        uri: server.path ?? DEFAULT_URI,
        format: (format as MapFormat | undefined) ?? (out === undefined ? undefined : formatOfFile(out)) ?? "dot",
        out,
        coverage: given(values.coverage),
        title: given(values.title),
        authToken,
        maxSteps: integerOption("max-steps", values["max-steps"], 1),
        pauseMs: integerOption("pause-ms", values["pause-ms"], 0),
      },
    };
  }
  const uriOption = values.uri;
  return {
    kind: "call",
    call: {
      origin: server.origin,
      uri: uriOption !== undefined ? normaliseUri(uriOption) : (server.path ?? DEFAULT_URI),
      from: given(values.from),
      to: given(values.to),
      authToken,
      statusCallback: given(values["status-callback"]),
      verbose: values.verbose === true,
    },
  };
}
