import type { Request, RequestHandler } from "express";

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

/** Renders a state as TwiML. */
export type TwimlFor = (urlFor: UrlFor, inputData?: InputData) => TwimlResult;

/** Decides the next state. */
export type TransitionOut = (inputData?: InputData) => State | Promise<State>;

/** Kicks off background work just before a state renders; never blocks rendering. */
export type BackgroundTrigger = (urlFor: UrlFor, inputData?: InputData) => unknown;

/** Properties any state may have. */
export interface StateBase {
  /** Identifies the state in logs and error messages. */
  name?: string;
  /** Makes the state routable: `POST <uri>` renders it. Must start with `/`. */
  uri?: string;
}

/** A renderable state that ends the call (or at least never branches). */
export interface EndState extends StateBase {
  isEndState: true;
  twimlFor: TwimlFor;
  backgroundTrigger?: BackgroundTrigger;
  transitionOut?: never;
  processTransitionUri?: never;
}

/** A renderable, branching state whose caller input is POSTed to `processTransitionUri`. */
export interface NormalState extends StateBase {
  /** Where caller input is sent; `POST <processTransitionUri>` calls `transitionOut`. Must start with `/`. */
  processTransitionUri: string;
  twimlFor: TwimlFor;
  transitionOut: TransitionOut;
  backgroundTrigger?: BackgroundTrigger;
  isEndState?: never;
}

/** A renderable state that starts background work before it renders. */
export interface AsynchronousState extends StateBase {
  twimlFor: TwimlFor;
  backgroundTrigger: BackgroundTrigger;
  isEndState?: true;
  transitionOut?: never;
  processTransitionUri?: never;
}

/** A state that renders nothing itself and picks the next state (e.g. by time of day). */
export interface BranchingState extends StateBase {
  transitionOut: TransitionOut;
  twimlFor?: never;
  backgroundTrigger?: never;
  processTransitionUri?: never;
  isEndState?: never;
}

/** Any valid state. */
export type State = EndState | NormalState | AsynchronousState | BranchingState;

/** A state with a `uri`. */
export type RoutableState = State & { uri: string };
/** A state with `twimlFor`. */
export type RenderableState = EndState | NormalState | AsynchronousState;
/** A state with `backgroundTrigger` (always renderable). */
export type AsynchronousStateLike = RenderableState & { backgroundTrigger: BackgroundTrigger };

/** Settings for talking to Twilio. */
export interface TwilioConfig {
  /** Your Twilio auth token, used to check `X-Twilio-Signature`. May be `""` only when `validate` is `false`. */
  authToken: string;
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

/** The second argument of `twilioIvr(states, config)`. */
export interface Config {
  twilio: TwilioConfig;
  urlFor: UrlForConfig;
  staticFiles?: StaticFilesConfig;
}
