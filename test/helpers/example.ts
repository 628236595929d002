// The Foo Corp example (examples/foo-corp) is plain JavaScript without type declarations:
// this types the parts the tests use, in one place.
import type { Express } from "express";
import type twilioIvr from "../../src";
import type { SessionStore, State } from "../../src";

/** What the example's weather states need of a weather service (examples/foo-corp/weather.js). */
export interface WeatherService {
  lookUp(): Promise<string>;
}

export interface ExampleOptions {
  authToken?: string;
  host: string;
  scheme?: string;
  /** Where call sessions live; default the library's MemoryStore. */
  sessionStore?: SessionStore;
  /** Default: the pretend service, answering after about 1.5 s. */
  weatherService?: WeatherService;
}

interface ExampleAppModule {
  createApp: (factory: typeof twilioIvr, options: ExampleOptions) => Express;
  AUDIO_DIR: string;
  STATUS_CALLBACK_URI: string;
}

interface ExampleStatesModule {
  states: State[];
  WEATHER_POLL_URI: string;
  MAX_WEATHER_POLLS: number;
}

interface ExampleWeatherModule {
  createFakeWeatherService: (options?: { delayMs?: number; fail?: boolean; forecast?: string }) => WeatherService;
  DEFAULT_FORECAST: string;
}

/* eslint-disable @typescript-eslint/no-require-imports */
export const { createApp, AUDIO_DIR, STATUS_CALLBACK_URI } = require("../../examples/foo-corp/app") as ExampleAppModule;
export const {
  states: exampleStates,
  WEATHER_POLL_URI,
  MAX_WEATHER_POLLS,
} = require("../../examples/foo-corp/states") as ExampleStatesModule;
export const { createFakeWeatherService, DEFAULT_FORECAST } = require("../../examples/foo-corp/weather") as ExampleWeatherModule;
/* eslint-enable @typescript-eslint/no-require-imports */
