// The Foo Corp example (examples/foo-corp) is plain JavaScript without type declarations:
// this types the parts the tests use, in one place.
import type { Express } from "express";
import { menu } from "../../src";
import type * as Library from "../../src";
import type { MenuState, SessionStore, State } from "../../src";

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
  /** Answers name the states each request went through (config `trace`). Default false. */
  trace?: boolean;
}

/** What the example takes of the library: the factory and `menu` (tests pass `import * as library from "../../src"`). */
export type ExampleLibrary = Pick<typeof Library, "twilioIvr" | "menu">;

interface ExampleAppModule {
  createApp: (library: ExampleLibrary, options: ExampleOptions) => Express;
  AUDIO_DIR: string;
  STATUS_CALLBACK_URI: string;
}

/** What createStates returns: each state by name, and the list for twilioIvr. */
export interface ExampleStates {
  entryState: MenuState;
  lunchSpecialsState: MenuState;
  hoursState: State;
  holdState: State;
  weatherLookupState: State;
  goodbyeState: State;
  states: State[];
}

interface ExampleStatesModule {
  createStates: (options: { menu: typeof menu; weatherService?: WeatherService }) => ExampleStates;
  WEATHER_POLL_URI: string;
  MAX_WEATHER_POLLS: number;
}

interface ExampleWeatherModule {
  createFakeWeatherService: (options?: { delayMs?: number; fail?: boolean; forecast?: string }) => WeatherService;
  DEFAULT_FORECAST: string;
}

/* eslint-disable @typescript-eslint/no-require-imports */
export const { createApp, AUDIO_DIR, STATUS_CALLBACK_URI } = require("../../examples/foo-corp/app") as ExampleAppModule;
export const { createStates, WEATHER_POLL_URI, MAX_WEATHER_POLLS } = require("../../examples/foo-corp/states") as ExampleStatesModule;
export const { createFakeWeatherService, DEFAULT_FORECAST } = require("../../examples/foo-corp/weather") as ExampleWeatherModule;
/* eslint-enable @typescript-eslint/no-require-imports */

/** The example's states, made with the TypeScript source's `menu` (and the pretend weather service). */
export const exampleStates: State[] = createStates({ menu }).states;
