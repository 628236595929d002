// A pretend weather service for the Foo Corp example, standing in for a slow web API.
//
// It is slow on purpose: a lookup takes about a second and a half, longer than a webhook should
// keep Twilio waiting. That is why the WEATHER_LOOKUP state (states.js) starts the lookup in the
// background and lets the caller hold while the call polls for the answer.

/** What the pretend service reports, unless told otherwise. */
const DEFAULT_FORECAST = "sunny, with a light breeze, and 22 degrees";

/**
 * Makes a weather service whose `lookUp()` answers after a delay.
 *
 * @param options.delayMs - how long a lookup takes, in milliseconds. Default 1500.
 * @param options.fail - when true, every lookup fails (after the same delay), as an unreachable
 *   service would. Default false.
 * @param options.forecast - the forecast every lookup resolves with.
 * @returns `{ lookUp() }`: a promise of the forecast, a sentence to say to the caller.
 *
 * Your own service only needs the same shape: an object whose `lookUp()` returns a promise.
 * Tests pass one to `createApp({ weatherService })` (see app.js).
 */
function createFakeWeatherService({ delayMs = 1500, fail = false, forecast = DEFAULT_FORECAST } = {}) {
  return {
    lookUp() {
      return new Promise((resolve, reject) => {
        setTimeout(() => {
          if (fail) reject(new Error("the weather service is not answering"));
          else resolve(forecast);
        }, delayMs);
      });
    },
  };
}

module.exports = { createFakeWeatherService, DEFAULT_FORECAST };
