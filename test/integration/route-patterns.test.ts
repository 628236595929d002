import request from "supertest";
import { ConfigError } from "../../src";
import type { State } from "../../src";
import { buildApp, endState } from "../helpers/app";

// Express path patterns in `uri` keep working (the original registered each uri with Express),
// while literal paths take the constant-time lookup.
describe("uri written as an Express path pattern", () => {
  const twimlFor = jest.fn<string, unknown[]>(() => "<Response><Say>pattern</Say></Response>");
  const patterned: State = { name: "CALL_BY_ID", uri: "/calls/:id", isEndState: true, twimlFor };
  const literal = { ...endState("LITERAL"), uri: "/calls/fixed" };
  const app = buildApp([patterned, literal]);

  beforeEach(() => twimlFor.mockClear());

  it("matches the pattern and passes the body as input", async () => {
    const res = await request(app).post("/calls/CA123").type("form").send({ Digits: "5" });
    expect(res.status).toBe(200);
    expect(res.text).toBe("<Response><Say>pattern</Say></Response>");
    expect(twimlFor.mock.calls[0]?.[1]).toEqual({ Digits: "5" });
  });

  it("prefers a literal route over a pattern that also matches", async () => {
    const res = await request(app).post("/calls/fixed");
    expect(res.text).toContain("LITERAL");
    expect(twimlFor).not.toHaveBeenCalled();
  });

  it("falls through to 404 when neither matches", async () => {
    expect((await request(app).post("/calls")).status).toBe(404);
    expect((await request(app).get("/calls/CA123")).status).toBe(404);
  });

  it("rejects a pattern Express cannot parse, naming the state", () => {
    const broken: State = { name: "BROKEN", uri: "/calls/:", isEndState: true, twimlFor };
    expect(() => buildApp([broken])).toThrow(ConfigError);
    expect(() => buildApp([broken])).toThrow(/states\[0\] \("BROKEN"\)/);
  });

  it("rejects two states with the same pattern", () => {
    const twin: State = { ...patterned, name: "TWIN" };
    expect(() => buildApp([patterned, twin])).toThrow(/both claim POST \/calls\/:id/);
  });
});
