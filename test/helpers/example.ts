// The Foo Corp example (examples/foo-corp) is plain JavaScript without type declarations:
// this types the parts the tests use, in one place.
import type { Express } from "express";
import type twilioIvr from "../../src";
import type { State } from "../../src";

export interface ExampleOptions {
  authToken?: string;
  host: string;
  scheme?: string;
}

interface ExampleAppModule {
  createApp: (factory: typeof twilioIvr, options: ExampleOptions) => Express;
  AUDIO_DIR: string;
}

/* eslint-disable @typescript-eslint/no-require-imports */
export const { createApp, AUDIO_DIR } = require("../../examples/foo-corp/app") as ExampleAppModule;
export const { states: exampleStates } = require("../../examples/foo-corp/states") as { states: State[] };
/* eslint-enable @typescript-eslint/no-require-imports */
