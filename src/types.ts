import type { Request, RequestHandler } from "express";
import type { SessionStore } from "./sessions/store";

export type { SessionFields, SessionPatch, SessionStore, StoredSession } from "./sessions/store";

/**
 * Parameters Twilio sends on voice webhooks (form-encoded POST body).
 * Every value arrives as a string; which keys are present depends on the
 * request (e.g. `Digits` only after a `<Gather>` with DTMF input).
 */
export interface TwilioVoiceParams {
  CallSid?: string;
  AccountSid?: string;
  From?: string;
  To?: string;
  Called?: string;
  Caller?: string;
  CallStatus?: string;
  Direction?: string;
  ApiVersion?: string;
  ForwardedFrom?: string;
  CallerName?: string;
  ParentCallSid?: string;
  CallToken?: string;
  FromCity?: string;
  FromState?: string;
  FromZip?: string;
  FromCountry?: string;
  ToCity?: string;
  ToState?: string;
  ToZip?: string;
  ToCountry?: string;
  /** Keys the caller pressed during a `<Gather>`. */
  Digits?: string;
  /** Transcribed speech from a `<Gather input="speech">`. */
  SpeechResult?: string;
  /** Confidence (0.0–1.0, as a string) of `SpeechResult`. */
  Confidence?: string;
  FinishedOnKey?: string;
  RecordingUrl?: string;
  RecordingSid?: string;
  RecordingDuration?: string;
  DialCallStatus?: string;
  DialCallSid?: string;
  DialCallDuration?: string;
  QueueResult?: string;
  QueueSid?: string;
  QueueTime?: string;
  /** Any other parameter Twilio (or your own redirect) sent. */
  [param: string]: string | string[] | undefined;
}

/** Alias kept for readability in state signatures: the parsed POST body. */
export type InputData = TwilioVoiceParams;

/** TwiML: a string, or anything whose `toString()` is TwiML (e.g. twilio's `VoiceResponse`). */
export type TwimlValue = string | { toString(): string };

/** What `twimlFor` may return: TwiML, or a promise for it. */
export type TwimlResult = TwimlValue | Promise<TwimlValue>;

/** Options accepted by {@link UrlFor}. */
export interface UrlForOptions {
  /** Extra query parameters to append. Cannot be combined with `fingerprint: true`. */
  query?: Record<string, string | number | boolean | readonly (string | number | boolean)[] | null | undefined>;
  /**
   * Add the static file's fingerprint (`?v=...`). Default: `true` when static files are
   * configured (a fingerprinter exists) and no `query` is given, else `false`.
   */
  fingerprint?: boolean;
  /** Return an absolute URL (`scheme://host/path`). Default `false`. */
  absolute?: boolean;
  /** Host for this absolute URL. Default: `config.urlFor.host(req)`. Used only when `absolute`. */
  host?: string;
  /** Scheme for this absolute URL. Default: `config.urlFor.scheme(req)`, else `req.protocol`. Used only when `absolute`. */
  scheme?: string;
}

/**
 * Builds URLs for TwiML: fingerprinted static files, absolute URLs, extra query parameters.
 * Passed to `twimlFor` and `backgroundTrigger`; built per request.
 * @param path - a root-relative public path, e.g. `/static/intro.mp3`.
 */
export type UrlFor = (path: string, options?: UrlForOptions) => string;

/** A value that survives JSON unchanged: what a call session can hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The default shape of a call's session data: any JSON values by key. */
export type SessionData = Record<string, JsonValue>;

/**
 * Per-call data that lives between the webhooks of one call (keyed by Twilio's `CallSid`) in the
 * configured store. Handed to state functions as their last argument when `config.sessions` is
 * set. Nothing touches the store until a method is called. Values must be JSON (plain objects,
 * arrays, strings, finite numbers, booleans, null); anything else rejects with a `SessionError`.
 * @typeParam Data - the shape of the call's data, e.g. `{ weather?: string; polls?: number }`.
 */
export interface CallSession<Data extends object = SessionData> {
  /** The call this session belongs to. */
  readonly callSid: string;
  /** The value stored under `key`, or `undefined`. One store read. */
  get<K extends keyof Data & string>(key: K): Promise<Data[K] | undefined>;
  /** All of the call's data (`{}` when nothing was written). One store read. */
  getAll(): Promise<Partial<Data>>;
  /** Stores `value` under `key`; concurrent `set`s of other keys are never lost. One atomic store write. */
  set<K extends keyof Data & string>(key: K, value: Data[K]): Promise<void>;
  /** Removes `key`. One atomic store write. */
  delete(key: keyof Data & string): Promise<void>;
  /**
   * Atomic read-modify-write of the whole data object: `fn` gets a copy of the current data and
   * returns (or resolves to) the new data, which replaces it. When another write lands in
   * between, `fn` runs again on the fresh data, so no concurrent write is lost. Resolves to the
   * data written.
   */
  update(fn: (data: Partial<Data>) => Partial<Data> | Promise<Partial<Data>>): Promise<Partial<Data>>;
}

// Method syntax keeps parameters bivariant, so a state written with sessions on may annotate
// `session: CallSession<MyData>` (required) and still be a valid `TwimlFor`.
type Bivariant<F extends (...args: never[]) => unknown> = { fn(...args: Parameters<F>): ReturnType<F> }["fn"];

/**
 * Renders a state as TwiML. `session` is passed only when `config.sessions` is set (then
 * `inputData` may be `undefined`, keeping the session's position fixed).
 */
export type TwimlFor<Data extends object = SessionData> = Bivariant<
  (urlFor: UrlFor, inputData?: InputData, session?: CallSession<Data>) => TwimlResult
>;

/** Decides the next state. `session` is passed only when `config.sessions` is set. */
export type TransitionOut<Data extends object = SessionData> = Bivariant<
  (inputData?: InputData, session?: CallSession<Data>) => State<Data> | Promise<State<Data>>
>;

/**
 * Kicks off background work just before a state renders; never blocks rendering. `session` is
 * passed only when `config.sessions` is set; it stays usable after the response was sent.
 */
export type BackgroundTrigger<Data extends object = SessionData> = Bivariant<
  (urlFor: UrlFor, inputData?: InputData, session?: CallSession<Data>) => unknown
>;

/** Properties any state may have. */
export interface StateBase {
  /** Identifies the state in logs and error messages. */
  name?: string;
  /** Makes the state routable: `POST <uri>` renders it. Must start with `/`. */
  uri?: string;
  /**
   * The caller's input here is secret (a card number, a PIN): the state still receives it, but
   * its values are replaced by `[redacted]` in the library's log lines and error messages, and the
   * call simulator's readable transcript shows how many keys were pressed, not which. Default `false`.
   */
  sensitive?: boolean;
}

/** A renderable state that ends the call (or at least never branches). */
export interface EndState<Data extends object = SessionData> extends StateBase {
  isEndState: true;
  twimlFor: TwimlFor<Data>;
  backgroundTrigger?: BackgroundTrigger<Data>;
  transitionOut?: never;
  processTransitionUri?: never;
}

/** A renderable, branching state whose caller input is POSTed to `processTransitionUri`. */
export interface NormalState<Data extends object = SessionData> extends StateBase {
  /** Where caller input is sent; `POST <processTransitionUri>` calls `transitionOut`. Must start with `/`. */
  processTransitionUri: string;
  twimlFor: TwimlFor<Data>;
  transitionOut: TransitionOut<Data>;
  backgroundTrigger?: BackgroundTrigger<Data>;
  isEndState?: never;
}

/** A renderable state that starts background work before it renders. */
export interface AsynchronousState<Data extends object = SessionData> extends StateBase {
  twimlFor: TwimlFor<Data>;
  backgroundTrigger: BackgroundTrigger<Data>;
  isEndState?: true;
  transitionOut?: never;
  processTransitionUri?: never;
}

/** A state that renders nothing itself and picks the next state (e.g. by time of day). */
export interface BranchingState<Data extends object = SessionData> extends StateBase {
  transitionOut: TransitionOut<Data>;
  twimlFor?: never;
  backgroundTrigger?: never;
  processTransitionUri?: never;
  isEndState?: never;
}

/**
 * Any valid state.
 * @typeParam Data - the shape of call-session data its functions see (with `config.sessions`).
 */
export type State<Data extends object = SessionData> = EndState<Data> | NormalState<Data> | AsynchronousState<Data> | BranchingState<Data>;

/** A state with a `uri`. */
export type RoutableState<Data extends object = SessionData> = State<Data> & { uri: string };
/** A state with `twimlFor`. */
export type RenderableState<Data extends object = SessionData> = EndState<Data> | NormalState<Data> | AsynchronousState<Data>;
/** A state with `backgroundTrigger` (always renderable). */
export type AsynchronousStateLike<Data extends object = SessionData> = RenderableState<Data> & { backgroundTrigger: BackgroundTrigger<Data> };

/** Settings for talking to Twilio. */
export interface TwilioConfig {
  /**
   * Your Twilio auth token, used to check `X-Twilio-Signature`. May be `""` only when `validate` is
   * `false`. While rotating tokens, a list, current first: a signature made with any of them is accepted.
   */
  authToken: string | readonly string[];
  /** Reject requests not signed by Twilio (403). Default `true`. */
  validate?: boolean;
}

/** How absolute URLs are built. */
export interface UrlForConfig {
  /** Host (with port if any) for absolute URLs, e.g. `() => "ivr.example.com"`. Prefer a constant over the Host header. */
  host: (req: Request) => string;
  /** Scheme for absolute URLs. Default: `req.protocol`. */
  scheme?: (req: Request) => string;
}

/** Hold-music endpoint settings. */
export interface HoldMusicConfig {
  /** The music file, relative to the static mount (`hold.mp3` or `./hold.mp3`). Required. */
  fileRelativeUri: string;
  /** Unfingerprinted endpoint path under the mount path. Default `/hold-music`. Must start with `/`. */
  endpoint?: string;
  /** Replaces the default `<Play loop="1000">` TwiML. */
  twimlFor?: (urlFor: UrlFor) => TwimlResult;
}

interface StaticFilesCommon {
  /** URL prefix for static files, starting with `/`. Default: none. A trailing slash is ignored. */
  mountPath?: string;
  /** Serves requests under `mountPath` instead of the built-in handling; sees `req.url` without the mount path. */
  middleware?: RequestHandler;
  /** Creates a hold-music endpoint when present. */
  holdMusic?: HoldMusicConfig;
}

/** Static files read from a directory; each file fingerprinted by the md5 of its contents. */
export interface StaticFilesFromPath extends StaticFilesCommon {
  /** Absolute path of the directory holding your static files. */
  path: string;
  fingerprintUrl?: never;
}

/** Static files fingerprinted by your own function. */
export interface StaticFilesWithFingerprintUrl extends StaticFilesCommon {
  /** Turns a root-relative public URL (mount path included) into its fingerprinted form. */
  fingerprintUrl: (url: string) => string;
  path?: never;
}

/** `config.staticFiles`: exactly one of `path` or `fingerprintUrl`. */
export type StaticFilesConfig = StaticFilesFromPath | StaticFilesWithFingerprintUrl;

/** `config.sessions`: per-call data kept between webhooks. */
export interface SessionsConfig {
  /**
   * Where call data lives. Default: a new `MemoryStore()` (one process only; data is lost on
   * restart). Use a `RedisStore` when more than one instance answers the same number.
   */
  store?: SessionStore;
  /** Seconds a call's data lives after its last write. Default: the store's own (4 hours for the built-in stores). */
  ttlSeconds?: number;
  /**
   * A POST route for Twilio's call status callback (set it as the number's "call status changes"
   * URL): when Twilio reports the call ended (`completed`, `busy`, `failed`, `no-answer`,
   * `canceled`) its data is deleted. Answers 204. Signature-checked like every route. Must start with `/`.
   * Default: none (data then lives until its TTL runs out).
   */
  statusCallbackUri?: string;
}

/** What `config.onError` is told about the failed request. */
export interface ErrorContext {
  /** The state the request was in when it failed (`undefined` outside states, e.g. the hold-music endpoint). */
  stateName: string | undefined;
  /** The request's `urlFor`, to point the caller at a routable state or an audio file. */
  urlFor: UrlFor;
  /** What Twilio posted. */
  input: InputData;
  /** The Express request. */
  req: Request;
}

/** What a state is, as a trace or a flow map names it. */
export type TracedStateKind = "menu" | "normal" | "end" | "asynchronous" | "branching";

/** One of the user's functions a request ran: which state, what kind of state, which function. */
export interface TracedStep {
  state: string;
  kind: TracedStateKind;
  fn: "transitionOut" | "twimlFor" | "backgroundTrigger";
  /** Present when the state is `sensitive`. */
  sensitive?: true;
  /** On a menu's `twimlFor`: the keys and phrases its Gather accepts, so a caller simulation can try each. */
  menu?: { keys: string[]; phrases: string[] };
}

/** The second argument of `twilioIvr(states, config)`. */
export interface Config {
  twilio: TwilioConfig;
  urlFor: UrlForConfig;
  staticFiles?: StaticFilesConfig;
  /**
   * Turns on call sessions: every state function then gets the call's `CallSession` as an added
   * last argument. Absent (the default): state functions get exactly the original's arguments.
   */
  sessions?: SessionsConfig;
  /**
   * Longest time, in milliseconds, one request may spend in your state functions (and the session
   * store) before it goes to the error path as a `StateError` `ERR_IVR_TIMEOUT` naming the state. A
   * result that comes later is dropped. Default 10000: Twilio gives up at 15 s and plays its generic
   * "application error" to the caller.
   */
  timeoutMs?: number;
  /**
   * Answers a failed request with TwiML of your choice (an apology, a `<Redirect>` to a routable
   * state) instead of passing the error to `next(err)`, which ends in a 500 and Twilio's generic
   * message unless your error middleware answers. Gets the error exactly as thrown and the
   * request's context; returns TwiML like `twimlFor` (a string, a `VoiceResponse`, or a promise).
   * When it throws or returns no TwiML, the original error goes to `next(err)`. Default: none.
   */
  onError?: (error: unknown, context: ErrorContext) => TwimlResult;
  /**
   * Adds a header to every answer listing the states the request went through (for the testing
   * kit run against a server in another process, e.g. `twilio-interactive-flow map <url>`). Off by
   * default: anyone who can reach the app would read your state names. The testing kit run in the
   * same process learns the trace without it.
   */
  trace?: boolean;
}

/** TwiML content a caller hears: plain text (said), or `<Say>`/`<Play>`/`<Pause>` verbs. */
export type PromptContent = string;

/** Where a menu option leads: a state, or a function of the caller's input choosing one. */
export type MenuTarget<Data extends object = SessionData> =
  | State<Data>
  | Bivariant<(inputData: InputData, session?: CallSession<Data>) => State<Data> | Promise<State<Data>>>;

/** One choice of a {@link menu}. At least one of `keys` and `phrases`. */
export interface MenuChoice<Data extends object = SessionData> {
  /** Keys that pick it: `"0"`-`"9"`, `"*"`, `"#"`, or several, such as `"123"`. */
  keys?: readonly string[];
  /** Things a caller may say to pick it, e.g. `"lunch specials"`; matched inside longer sentences, any case, numbers as words or digits. */
  phrases?: readonly string[];
  /** The state this choice leads to, or a function of the input that returns it. */
  to: MenuTarget<Data>;
}

/** Options of {@link menu}. */
export interface MenuOptions<Data extends object = SessionData> {
  /** The state's name, used in logs and errors. Required. */
  name: string;
  /** Makes the menu routable (`POST <uri>` renders it). */
  uri?: string;
  /** Where the caller's answer is posted. Required, starting with `/`. */
  processTransitionUri: string;
  /**
   * What the caller hears inside the `<Gather>`: TwiML content (plain text is said), a function of
   * `(urlFor, attempt)` returning it (or a promise of it), or an array: attempt n hears the n-th
   * prompt, and the last one repeats (escalation).
   */
  prompt: PromptContent | readonly PromptContent[] | ((urlFor: UrlFor, attempt: number) => PromptContent | Promise<PromptContent>);
  /** The choices. Keys and phrases must each lead to one choice only. */
  options: readonly MenuChoice<Data>[];
  /** What the caller may use. Default: `dtmf` when choices have keys, `speech` when they have phrases, both when both. */
  input?: "dtmf" | "speech" | "dtmf speech";
  /** Keys collected before Twilio answers. Default: the key length when every key has the same length, else unset (the caller ends with `finishOnKey` or waits for the timeout). */
  numDigits?: number;
  /** Key that ends a multi-digit entry. Default: Twilio's (`#`), or none when `#` is itself a key. */
  finishOnKey?: string;
  /** Seconds of silence before the attempt counts as a timeout. Default: Twilio's 5. */
  timeout?: number;
  /** Speech recognition hints. Default: the choices' phrases. */
  hints?: string | readonly string[];
  /** Speech recognition language, e.g. `en-GB`. Default: Twilio's (`en-US`). */
  language?: string;
  /** Attempts before `onFailure`: wrong answers and timeouts both count. Default 3. */
  tries?: number;
  /** Said before the prompt after a wrong answer. Default: "Sorry, that is not one of the choices." */
  onInvalid?: PromptContent;
  /** Said before the prompt after silence. Default: "Sorry, I didn't catch that." */
  onTimeout?: PromptContent;
  /** Where the call goes once the tries run out: a state, or a function of the input returning one. Required: no menu loops forever. */
  onFailure: MenuTarget<Data>;
  /** The caller's answers are secret: see `sensitive` on states. Default `false`. */
  sensitive?: boolean;
}

/** What a menu offers, readable without calling it (e.g. to draw the flow). Frozen. */
export interface MenuDescription<Data extends object = SessionData> {
  readonly choices: readonly Readonly<{ keys: readonly string[]; phrases: readonly string[]; to: MenuTarget<Data> }>[];
  readonly input: readonly ("dtmf" | "speech")[];
  readonly numDigits: number | undefined;
  readonly finishOnKey: string | undefined;
  readonly timeout: number | undefined;
  readonly tries: number;
  readonly onFailure: MenuTarget<Data>;
}

/** The state `menu()` returns: a normal state that also describes its choices. */
export type MenuState<Data extends object = SessionData> = NormalState<Data> & { readonly menu: MenuDescription<Data> };
