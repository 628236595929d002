// The Foo Corp example's map: every state and every edge, and the committed drawing in docs/
// (docs/foo-corp-flow.dot, made by `npm run docs:flow`) still matching what the tree maps to.
import fs from "node:fs";
import path from "node:path";
import * as library from "../../../src";
import { mapFlow, toDot, type FlowMap } from "../../../src/testing";
import { edgeKey, HANGUP_ID, START_ID } from "../../../src/testing/flow/graph";
import { createApp, createFakeWeatherService } from "../../helpers/example";

const GOLDEN = path.resolve(__dirname, "..", "..", "..", "docs", "foo-corp-flow.dot");

let map: FlowMap;

beforeAll(async () => {
  // As scripts/flow-docs.mjs maps it: a weather service that answers at once, and pauses of 1 ms
  // so that it answers between two polls (the caller holds once, then hears the report).
  const app = createApp(library, { host: "localhost", weatherService: createFakeWeatherService({ delayMs: 0 }) });
  map = await mapFlow(app, { uri: "/incoming-call", pauseMs: 1 });
});

test("every state of the example, with its kind", () => {
  expect(map.truncated).toBe(false);
  expect(Object.fromEntries(map.nodes.map((node) => [node.id, node.kind]))).toEqual({
    [START_ID]: "start",
    CALL_RECEIVED: "menu",
    LUNCH_SPECIALS: "menu",
    HOURS: "normal",
    HOLD: "end",
    "queue:foo-corp": "queue",
    WEATHER_LOOKUP: "asynchronous",
    WEATHER_POLL: "branching",
    WEATHER_WAIT: "end",
    WEATHER_REPORT: "end",
    GOODBYE: "end",
    [HANGUP_ID]: "hangup",
  });
  // WEATHER_UNAVAILABLE is only reached when the weather service fails or never answers: the
  // stand-in used here always answers.
  expect(map.nodes.map((node) => node.id)).not.toContain("WEATHER_UNAVAILABLE");
  expect(map.nodes.find((node) => node.id === "CALL_RECEIVED")?.prompt).toMatch(/^\[welcome\.wav\] Welcome to Foo Corp!/);
});

test("every edge of the example, with the keys and phrases that take it", () => {
  const edges = map.edges.map((edge) => `${edge.from} -${edge.kind}${edge.inputs.length > 0 ? ` ${edge.inputs.join("|")}` : ""}-> ${edge.to}`);
  expect(edges.sort()).toEqual(
    [
      `${START_ID} -call-> CALL_RECEIVED`,
      "CALL_RECEIVED -key 1-> LUNCH_SPECIALS",
      "CALL_RECEIVED -phrase lunch|lunch specials|specials-> LUNCH_SPECIALS",
      "CALL_RECEIVED -key 2-> HOURS",
      "CALL_RECEIVED -phrase hours|opening times-> HOURS",
      "CALL_RECEIVED -key 3-> HOLD",
      "CALL_RECEIVED -phrase agent|operator|person|someone|speak to someone-> HOLD",
      "CALL_RECEIVED -key 4-> WEATHER_LOOKUP",
      "CALL_RECEIVED -phrase forecast|weather-> WEATHER_LOOKUP",
      // Silence: asked again, and after the third attempt put through to a person.
      "CALL_RECEIVED -silence-> CALL_RECEIVED",
      "CALL_RECEIVED -silence-> HOLD",
      "LUNCH_SPECIALS -key 1-> HOURS",
      "LUNCH_SPECIALS -phrase hours-> HOURS",
      "LUNCH_SPECIALS -silence-> LUNCH_SPECIALS",
      "LUNCH_SPECIALS -silence-> GOODBYE",
      "HOURS -key 1-> LUNCH_SPECIALS",
      "HOURS -key *|0|2|3|4|5|6|7|8|9-> GOODBYE",
      "HOURS -silence-> GOODBYE",
      "HOLD -hold-> queue:foo-corp",
      "WEATHER_LOOKUP -redirect-> WEATHER_POLL",
      "WEATHER_POLL -branch-> WEATHER_WAIT",
      "WEATHER_WAIT -redirect-> WEATHER_POLL",
      "WEATHER_POLL -branch-> WEATHER_REPORT",
      "WEATHER_REPORT -redirect-> CALL_RECEIVED",
      `GOODBYE -hangup-> ${HANGUP_ID}`,
    ].sort(),
  );
  // One edge per ends and kind.
  expect(new Set(map.edges.map((edge) => edgeKey(edge))).size).toBe(map.edges.length);
});

test("docs/foo-corp-flow.dot is the example's map as toDot draws it now", () => {
  const committed = fs.readFileSync(GOLDEN, "utf8");
  const now = toDot(map);
  if (committed !== now) {
    throw new Error(
      "docs/foo-corp-flow.dot is out of date: the example's map (or its drawing) changed. Run `npm run docs:flow` " +
        `to regenerate docs/ and README's coverage figures, and commit them.\n--- committed ---\n${committed}\n--- now ---\n${now}`,
    );
  }
  expect(now).toBe(committed);
});
