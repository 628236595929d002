/**
 * The TwiML voice rules the call simulator enforces, as data: one table entry per element.
 *
 * Element names, nesting and attribute names follow the `twilio` package's own declarations
 * (`twilio/lib/twiml/VoiceResponse.d.ts`, v6); value checks, required text and the places where
 * Twilio's documentation is stricter than those declarations are noted where they apply.
 * {@link ./twiml-document} interprets these tables.
 */

/** How an attribute's value is checked. */
export type AttributeRule =
  /** Any text (URLs, names, SIDs, free-form values). */
  | { readonly type: "string" }
  /** `GET` or `POST`, in any letter case. */
  | { readonly type: "method" }
  /** `true` or `false`, in any letter case. */
  | { readonly type: "boolean" }
  /** A whole number written in decimal digits, at least `min`; or one of the `or` words. */
  | { readonly type: "integer"; readonly min: number; readonly or?: readonly string[] }
  /** Exactly one of `values`. */
  | { readonly type: "enum"; readonly values: readonly string[] }
  /** One or more of `values`, separated by spaces, none repeated (e.g. `dtmf speech`). */
  | { readonly type: "tokens"; readonly values: readonly string[] }
  /** Phone keys (0-9, `#`, `*`), at most `max` of them (unlimited when absent); may be empty. */
  | { readonly type: "keys"; readonly max?: number };

/**
 * Text directly inside an element (whitespace-only text never counts):
 * `none` — not allowed; `optional`; `required` — needed unless {@link ElementRule.textOrAttribute}
 * or one of {@link ElementRule.textOrChild} is present.
 */
export type TextRule = "none" | "optional" | "required";

/** What one element may contain and carry. */
export interface ElementRule {
  /** Element children allowed, any number and order (listed in the order messages show them). */
  readonly children: readonly string[];
  /** Attributes allowed, with their value checks; `null` when attributes are not checked at all. */
  readonly attributes: Readonly<Record<string, AttributeRule>> | null;
  readonly text: TextRule;
  /** What the required text is, for messages (e.g. "a URL"). */
  readonly textIs?: string;
  /** An attribute that makes the text unnecessary (`<Play digits="...">`). */
  readonly textOrAttribute?: string;
  /** Child elements that make the text unnecessary (`<Dial><Number>...</Number></Dial>`). */
  readonly textOrChild?: readonly string[];
  /**
   * Inline SSML markup: in the parent's text, this element's text runs on with the text around
   * it (`un<emphasis>believ</emphasis>able`). Any other element's text is a separate word or phrase.
   */
  readonly inline?: boolean;
}

/** The root element of every TwiML document. */
export const ROOT_ELEMENT = "Response";

/**
 * The largest TwiML response Twilio accepts: 64 kB (Twilio error 11750, "TwiML response body
 * too large"), counted here as 65,536 bytes of UTF-8.
 */
export const MAX_DOCUMENT_BYTES = 64 * 1024;

const STRING: AttributeRule = { type: "string" };
const METHOD: AttributeRule = { type: "method" };
const BOOLEAN: AttributeRule = { type: "boolean" };
/** A non-negative whole number (counts, seconds, milliseconds). */
const COUNT: AttributeRule = { type: "integer", min: 0 };
/** A whole number >= 1 (documented as "integer > 0" / "integer >= 1"). */
const POSITIVE: AttributeRule = { type: "integer", min: 1 };
const TRIM: AttributeRule = { type: "enum", values: ["trim-silence", "do-not-trim"] };

/** The verbs a `<Response>` may contain. */
const VERBS = [
  "Say", "Play", "Pause", "Gather", "Record", "Dial", "Redirect", "Hangup", "Reject", "Enqueue",
  "Leave", "Connect", "Start", "Stop", "Refer", "Pay", "Echo", "Sms",
] as const;

/** The nouns of `<Dial>`. */
const DIAL_NOUNS = ["Number", "Client", "Conference", "Queue", "Sip", "Sim", "Application", "WhatsApp"] as const;

/** SSML inside `<Say>`; `amazon:*` are Amazon Polly extensions (not in the twilio typings). */
const AMAZON_SSML = ["amazon:effect", "amazon:domain"] as const;
const SSML_INLINE = ["break", "emphasis", "lang", "phoneme", "prosody", "say-as", "sub", "w"] as const;
const SSML_ALL = ["break", "emphasis", "lang", "p", "phoneme", "prosody", "s", "say-as", "sub", "w", ...AMAZON_SSML] as const;

/** The audio verbs that may be nested in `<Gather>` and `<Prompt>`. */
const PROMPTS = ["Say", "Play", "Pause"] as const;

const SAY_ATTRIBUTES = { language: STRING, loop: COUNT, voice: STRING };
const PLAY_ATTRIBUTES = { digits: STRING, loop: COUNT };
const PAUSE_ATTRIBUTES = { length: POSITIVE };
const NAME_VALUE = { name: STRING, value: STRING };
const ACTION_METHOD = { action: STRING, method: METHOD };
const MACHINE_DETECTION = {
  amdStatusCallback: STRING,
  amdStatusCallbackMethod: METHOD,
  machineDetection: STRING,
  machineDetectionSilenceTimeout: COUNT,
  machineDetectionSpeechEndThreshold: COUNT,
  machineDetectionSpeechThreshold: COUNT,
  machineDetectionTimeout: COUNT,
};
const STATUS_CALLBACKS = { statusCallback: STRING, statusCallbackEvent: STRING, statusCallbackMethod: METHOD };
const STREAM_ATTRIBUTES = {
  audioFormat: STRING, connectorName: STRING, name: STRING, sampleRate: STRING, statusCallback: STRING,
  statusCallbackMethod: METHOD, track: STRING, url: STRING,
};

/** Every TwiML voice element, by name (for names whose rule depends on the parent, see {@link TWIML_ELEMENTS_IN}). */
export const TWIML_ELEMENTS: Readonly<Record<string, ElementRule>> = {
  // `version` is the legacy root attribute (Twilio error 12101 reports invalid values of it).
  Response: { children: VERBS, attributes: { version: STRING }, text: "none" },

  // ---- Verbs ----
  Say: { children: SSML_ALL, attributes: SAY_ATTRIBUTES, text: "optional" },
  Play: { children: [], attributes: PLAY_ATTRIBUTES, text: "required", textIs: "a media URL", textOrAttribute: "digits" },
  Pause: { children: [], attributes: PAUSE_ATTRIBUTES, text: "none" },
  Gather: {
    children: PROMPTS,
    attributes: {
      action: STRING,
      actionOnEmptyResult: BOOLEAN,
      bargeIn: BOOLEAN,
      debug: BOOLEAN,
      enhanced: BOOLEAN,
      finishOnKey: { type: "keys", max: 1 },
      hints: STRING,
      input: { type: "tokens", values: ["dtmf", "speech"] },
      language: STRING,
      maxSpeechTime: COUNT,
      method: METHOD,
      numDigits: POSITIVE,
      partialResultCallback: STRING,
      partialResultCallbackMethod: METHOD,
      profanityFilter: BOOLEAN,
      speechModel: STRING,
      speechTimeout: { type: "integer", min: 0, or: ["auto"] },
      timeout: COUNT,
    },
    text: "none",
  },
  Record: {
    children: [],
    attributes: {
      action: STRING,
      finishOnKey: { type: "keys" },
      maxLength: POSITIVE,
      method: METHOD,
      playBeep: BOOLEAN,
      recordingConfigurationId: STRING,
      recordingStatusCallback: STRING,
      recordingStatusCallbackEvent: STRING,
      recordingStatusCallbackMethod: METHOD,
      timeout: COUNT,
      transcribe: BOOLEAN,
      transcribeCallback: STRING,
      trim: TRIM,
    },
    text: "none",
  },
  Dial: {
    children: DIAL_NOUNS,
    attributes: {
      action: STRING,
      answerOnBridge: BOOLEAN,
      callerId: STRING,
      // Documented on Twilio's <Dial> page; not (yet) in the twilio typings.
      callReason: STRING,
      events: STRING,
      hangupOnStar: BOOLEAN,
      method: METHOD,
      passports: STRING,
      // The typings' values plus `true`/`false`, which Twilio documents as aliases.
      record: {
        type: "enum",
        values: ["do-not-record", "record-from-answer", "record-from-ringing", "record-from-answer-dual", "record-from-ringing-dual", "true", "false"],
      },
      recordingConfigurationId: STRING,
      recordingStatusCallback: STRING,
      recordingStatusCallbackEvent: STRING,
      recordingStatusCallbackMethod: METHOD,
      recordingTrack: STRING,
      referMethod: METHOD,
      referUrl: STRING,
      ringTone: STRING,
      sequential: BOOLEAN,
      timeLimit: COUNT,
      timeout: COUNT,
      trim: TRIM,
    },
    text: "required",
    textIs: "a phone number",
    textOrChild: DIAL_NOUNS,
  },
  Redirect: { children: [], attributes: { method: METHOD }, text: "required", textIs: "a URL" },
  Hangup: { children: ["Parameter"], attributes: {}, text: "none" },
  Reject: { children: ["Parameter"], attributes: { reason: { type: "enum", values: ["rejected", "busy"] } }, text: "none" },
  Enqueue: {
    children: ["Task"],
    attributes: { action: STRING, maxQueueSize: COUNT, method: METHOD, waitUrl: STRING, waitUrlMethod: METHOD, workflowSid: STRING },
    text: "required",
    textIs: "a queue name",
    textOrAttribute: "workflowSid",
  },
  Leave: { children: [], attributes: {}, text: "none" },
  Echo: { children: [], attributes: {}, text: "none" },
  Connect: {
    children: ["AiSession", "Autopilot", "Conversation", "ConversationRelay", "ConversationRelaySession", "Room", "Stream", "VirtualAgent"],
    attributes: ACTION_METHOD,
    text: "none",
  },
  Start: { children: ["Recording", "Siprec", "Stream", "Transcription"], attributes: ACTION_METHOD, text: "none" },
  Stop: { children: ["Siprec", "Stream", "Transcription"], attributes: {}, text: "none" },
  Refer: { children: ["Sip"], attributes: ACTION_METHOD, text: "none" },
  Pay: {
    children: ["Parameter", "Prompt"],
    attributes: {
      action: STRING,
      bankAccountType: STRING,
      chargeAmount: STRING,
      currency: STRING,
      description: STRING,
      input: STRING,
      language: STRING,
      maxAttempts: COUNT,
      minPostalCodeLength: COUNT,
      paymentConnector: STRING,
      paymentMethod: STRING,
      postalCode: STRING,
      securityCode: BOOLEAN,
      statusCallback: STRING,
      statusCallbackMethod: METHOD,
      timeout: COUNT,
      tokenType: STRING,
      validCardTypes: STRING,
    },
    text: "none",
  },
  Sms: {
    children: [],
    attributes: { action: STRING, from: STRING, method: METHOD, statusCallback: STRING, to: STRING },
    text: "required",
    textIs: "the message text",
  },

  // ---- Nouns of <Dial> ----
  Number: {
    children: [],
    attributes: { ...MACHINE_DETECTION, byoc: STRING, method: METHOD, sendDigits: STRING, ...STATUS_CALLBACKS, url: STRING },
    text: "required",
    textIs: "a phone number",
  },
  Client: {
    children: ["Identity", "Parameter"],
    attributes: { method: METHOD, ...STATUS_CALLBACKS, url: STRING },
    text: "required",
    textIs: "a client identity",
    textOrChild: ["Identity"],
  },
  Conference: {
    children: [],
    attributes: {
      beep: { type: "enum", values: ["true", "false", "onEnter", "onExit"] },
      coach: STRING,
      endConferenceOnExit: BOOLEAN,
      eventCallbackUrl: STRING,
      jitterBufferSize: STRING,
      maxParticipants: COUNT,
      muted: BOOLEAN,
      participantLabel: STRING,
      record: STRING,
      recordingConfigurationId: STRING,
      recordingStatusCallback: STRING,
      recordingStatusCallbackEvent: STRING,
      recordingStatusCallbackMethod: METHOD,
      region: STRING,
      startConferenceOnEnter: BOOLEAN,
      ...STATUS_CALLBACKS,
      trim: TRIM,
      waitMethod: METHOD,
      waitUrl: STRING,
    },
    text: "required",
    textIs: "a conference name",
  },
  Queue: {
    children: [],
    attributes: { method: METHOD, postWorkActivitySid: STRING, reservationSid: STRING, url: STRING },
    text: "required",
    textIs: "a queue name",
  },
  Sip: {
    children: ["Headers", "Uri"],
    attributes: { ...MACHINE_DETECTION, method: METHOD, password: STRING, ...STATUS_CALLBACKS, url: STRING, username: STRING },
    text: "required",
    textIs: "a SIP URI",
    textOrChild: ["Uri"],
  },
  Sim: { children: [], attributes: {}, text: "required", textIs: "a SIM SID" },
  Application: {
    children: ["ApplicationSid", "Parameter"],
    attributes: { copyParentTo: BOOLEAN, customerId: STRING, method: METHOD, ...STATUS_CALLBACKS, url: STRING },
    text: "required",
    textIs: "an application SID",
    textOrChild: ["ApplicationSid"],
  },
  WhatsApp: {
    children: [],
    attributes: { method: METHOD, ...STATUS_CALLBACKS, url: STRING },
    text: "required",
    textIs: "a phone number",
  },
  Identity: { children: [], attributes: {}, text: "required", textIs: "a client identity" },
  ApplicationSid: { children: [], attributes: {}, text: "required", textIs: "an application SID" },
  Uri: {
    children: [],
    attributes: { password: STRING, priority: STRING, username: STRING, weight: STRING },
    text: "required",
    textIs: "a SIP URI",
  },
  Headers: { children: ["Header"], attributes: {}, text: "none" },
  Header: { children: [], attributes: NAME_VALUE, text: "none" },

  // ---- Nouns of the other verbs ----
  Task: { children: [], attributes: { priority: COUNT, timeout: COUNT }, text: "optional" },
  Parameter: { children: [], attributes: NAME_VALUE, text: "none" },
  Config: { children: [], attributes: NAME_VALUE, text: "none" },
  Prompt: {
    children: PROMPTS,
    attributes: { attempt: STRING, cardType: STRING, errorType: STRING, for: STRING, requireMatchingInputs: BOOLEAN },
    text: "none",
  },
  Stream: { children: ["Parameter"], attributes: STREAM_ATTRIBUTES, text: "none" },
  Siprec: {
    children: ["Parameter"],
    attributes: { connectorName: STRING, name: STRING, statusCallback: STRING, statusCallbackMethod: METHOD, track: STRING },
    text: "none",
  },
  Transcription: {
    children: ["Config", "Parameter"],
    attributes: {
      enableAutomaticPunctuation: BOOLEAN,
      hints: STRING,
      inboundTrackLabel: STRING,
      intelligenceService: STRING,
      languageCode: STRING,
      name: STRING,
      outboundTrackLabel: STRING,
      partialResults: BOOLEAN,
      profanityFilter: BOOLEAN,
      speechModel: STRING,
      statusCallbackMethod: METHOD,
      statusCallbackUrl: STRING,
      track: STRING,
      transcriptionEngine: STRING,
    },
    text: "none",
  },
  Recording: {
    children: [],
    attributes: {
      channels: STRING,
      recordingConfigurationId: STRING,
      recordingStatusCallback: STRING,
      recordingStatusCallbackEvent: STRING,
      recordingStatusCallbackMethod: METHOD,
      track: STRING,
      trim: TRIM,
    },
    text: "none",
  },
  AiSession: { children: [], attributes: { aiConnector: STRING, aiSessionConfiguration: STRING }, text: "none" },
  Autopilot: { children: [], attributes: {}, text: "optional" },
  Conversation: {
    children: [],
    attributes: {
      inboundAutocreation: BOOLEAN,
      inboundTimeout: COUNT,
      method: METHOD,
      record: STRING,
      recordingStatusCallback: STRING,
      recordingStatusCallbackEvent: STRING,
      recordingStatusCallbackMethod: METHOD,
      routingAssignmentTimeout: COUNT,
      serviceInstanceSid: STRING,
      ...STATUS_CALLBACKS,
      trim: TRIM,
      url: STRING,
    },
    text: "none",
  },
  ConversationRelay: {
    children: ["Language", "Parameter"],
    attributes: {
      backgroundnoisereduction: STRING,
      debug: STRING,
      deepgramsmartformat: STRING,
      dtmfDetection: BOOLEAN,
      elevenlabsTextNormalization: STRING,
      events: STRING,
      hints: STRING,
      ignorebackchannel: STRING,
      intelligenceService: STRING,
      interruptSensitivity: STRING,
      interruptible: STRING,
      language: STRING,
      partialPrompts: BOOLEAN,
      preemptible: BOOLEAN,
      profanityFilter: BOOLEAN,
      reportInputDuringAgentSpeech: BOOLEAN,
      speechModel: STRING,
      speechtimeout: STRING,
      transcriptionLanguage: STRING,
      transcriptionProvider: STRING,
      ttsLanguage: STRING,
      ttsProvider: STRING,
      url: STRING,
      voice: STRING,
      welcomeGreeting: STRING,
      welcomeGreetingInterruptible: STRING,
    },
    text: "none",
  },
  ConversationRelaySession: { children: [], attributes: { connector: STRING, sessionConfiguration: STRING }, text: "none" },
  Language: {
    children: [],
    attributes: { code: STRING, speechModel: STRING, transcriptionProvider: STRING, ttsProvider: STRING, voice: STRING },
    text: "none",
  },
  Room: { children: [], attributes: { participantIdentity: STRING }, text: "optional" },
  VirtualAgent: {
    children: ["Config", "Parameter"],
    attributes: { connectorName: STRING, language: STRING, sentimentAnalysis: BOOLEAN, statusCallback: STRING, statusCallbackMethod: METHOD },
    text: "none",
  },

  // ---- SSML inside <Say> ----
  break: { children: [], attributes: { strength: STRING, time: STRING }, text: "none" },
  emphasis: { children: [...SSML_INLINE, ...AMAZON_SSML], attributes: { level: STRING }, text: "optional", inline: true },
  lang: { children: SSML_ALL, attributes: { "xml:lang": STRING }, text: "optional", inline: true },
  p: { children: [...SSML_INLINE, "s", ...AMAZON_SSML], attributes: {}, text: "optional" },
  phoneme: { children: [], attributes: { alphabet: STRING, ph: STRING }, text: "optional", inline: true },
  prosody: { children: SSML_ALL, attributes: { pitch: STRING, rate: STRING, volume: STRING }, text: "optional", inline: true },
  s: { children: [...SSML_INLINE, ...AMAZON_SSML], attributes: {}, text: "optional" },
  "say-as": { children: [], attributes: { format: STRING, "interpret-as": STRING }, text: "optional", inline: true },
  sub: { children: [], attributes: { alias: STRING }, text: "optional", inline: true },
  w: { children: ["break", "emphasis", "phoneme", "prosody", "say-as", "sub"], attributes: { role: STRING }, text: "optional", inline: true },
  // Amazon Polly's SSML extensions: attributes vary by effect, so they are not checked.
  "amazon:effect": { children: SSML_ALL, attributes: null, text: "optional", inline: true },
  "amazon:domain": { children: SSML_ALL, attributes: null, text: "optional", inline: true },
};

/** Rules that depend on the parent element, keyed `Parent/Child`; they take precedence over {@link TWIML_ELEMENTS}. */
export const TWIML_ELEMENTS_IN: Readonly<Record<string, ElementRule>> = {
  // <Refer><Sip> is a bare SIP URI, unlike <Dial><Sip>.
  "Refer/Sip": { children: [], attributes: {}, text: "required", textIs: "a SIP URI" },
};

/** The rule for element `name` inside `parent` (undefined: not a TwiML voice element). */
export function elementRule(name: string, parent: string | undefined): ElementRule | undefined {
  const key = `${parent ?? ""}/${name}`;
  if (Object.hasOwn(TWIML_ELEMENTS_IN, key)) return TWIML_ELEMENTS_IN[key];
  return Object.hasOwn(TWIML_ELEMENTS, name) ? TWIML_ELEMENTS[name] : undefined;
}
