import { queueResultParams, waitUrlParams, type Hold } from "../../../src/testing/queue-hold";
import { parseTwiml } from "../../../src/testing/twiml-document";

function hold(enqueue: string, since: number): Hold {
  const node = parseTwiml(`<Response>${enqueue}</Response>`).children[0]!;
  return { node, documentUrl: "http://localhost/queue", rest: [], queueSid: "QU1", since };
}

describe("waitUrlParams", () => {
  it("puts the caller alone at the head of the queue, with the seconds waited rounded", () => {
    expect(waitUrlParams(hold('<Enqueue waitUrl="/hold">support</Enqueue>', 10_000), 12_600)).toEqual({
      QueueSid: "QU1",
      QueuePosition: "1",
      QueueTime: "3",
      AvgQueueTime: "0",
      CurrentQueueSize: "1",
      MaxQueueSize: "100",
    });
  });

  it("reports the Enqueue's maxQueueSize", () => {
    expect(waitUrlParams(hold('<Enqueue maxQueueSize="5">support</Enqueue>', 0), 0).MaxQueueSize).toBe("5");
  });
});

describe("queueResultParams", () => {
  it("reports the result, the queue and the seconds waited", () => {
    expect(queueResultParams(hold("<Enqueue>support</Enqueue>", 1_000), "leave", 1_400)).toEqual({ QueueResult: "leave", QueueSid: "QU1", QueueTime: "0" });
    expect(queueResultParams(hold("<Enqueue>support</Enqueue>", 1_000), "hangup", 62_000)).toEqual({ QueueResult: "hangup", QueueSid: "QU1", QueueTime: "61" });
  });
});
