// SPEC: the cost of dispatching a request must not grow with the number of states. Its speed is
// measured by the bench (scenario 2: 10 against 10,000 states), not by a timed test; here, what
// can be seen without a clock: every state is a proxy that counts the reads of its properties, and
// a request may read only the states it runs, never the other thousands (a find over the list, a
// check of each state per request would read them); and Express's router gets no route per state.
// A scan of the library's own route table (paths copied at creation) reads no state: only the
// bench would see that.
import request from "supertest";
import type { Express } from "express";
import type { State } from "../../src";
import { buildApp } from "../helpers/app";

const COUNT = 10_000;

interface CountedStates {
  states: State[];
  /** Names of the states read since the last reset. */
  read: Set<string>;
  /** Starts counting from now (creating the app reads every state, as it should). */
  reset(): void;
}

/** `count` end states at /s/<i>, a menu at /menu whose answer leads to state "end-<target>", each a counting proxy. */
function countedStates(count: number, target: number): CountedStates {
  const read = new Set<string>();
  let counting = false;
  const counted = <T extends object>(name: string, state: T): T =>
    new Proxy(state, {
      get(object, key, receiver) {
        if (counting) read.add(name);
        return Reflect.get(object, key, receiver) as unknown;
      },
    });
  const ends: State[] = Array.from({ length: count }, (_, i) =>
    counted(`end-${i}`, { name: `end-${i}`, uri: `/s/${i}`, isEndState: true as const, twimlFor: () => `<Response><Say>state ${i}</Say></Response>` }),
  );
  const menu = counted("menu", {
    name: "menu",
    uri: "/menu",
    processTransitionUri: "/menu/choice",
    twimlFor: () => "<Response><Gather/></Response>",
    transitionOut: () => ends[target] as State,
  });
  return {
    states: [...ends, menu],
    read,
    reset() {
      read.clear();
      counting = true;
    },
  };
}

function routerLayers(app: Express): number {
  return (app as unknown as { router: { stack: unknown[] } }).router.stack.length;
}

describe(`dispatching among ${COUNT.toLocaleString("en-US")} states`, () => {
  const target = 7_777;
  const { states, read, reset } = countedStates(COUNT, target);
  const app = buildApp(states);

  beforeEach(() => {
    reset();
  });

  it.each([0, COUNT / 2, COUNT - 1])("a POST to state %i reads that state and no other", async (i) => {
    const res = await request(app).post(`/s/${i}`).type("form").send("CallSid=CA1");
    expect(res.status).toBe(200);
    expect(res.text).toBe(`<Response><Say>state ${i}</Say></Response>`);
    // The counting is live (the state run was read), and it saw no other.
    expect([...read]).toEqual([`end-${i}`]);
  });

  it("a transition reads the menu and the state it leads to, no other", async () => {
    const res = await request(app).post("/menu/choice").type("form").send("Digits=1");
    expect(res.status).toBe(200);
    expect(res.text).toBe(`<Response><Say>state ${target}</Say></Response>`);
    expect([...read].sort()).toEqual([`end-${target}`, "menu"]);
  });

  it("a path no state has is a 404 that reads no state", async () => {
    const res = await request(app).post("/s/not-a-state").type("form").send("CallSid=CA1");
    expect(res.status).toBe(404);
    expect([...read]).toEqual([]);
  });

  it("adds no Express route per state: the router has as many layers as an app with 10 states", () => {
    expect(routerLayers(app)).toBe(routerLayers(buildApp(countedStates(10, 3).states)));
  });
});
