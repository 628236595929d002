import { createClient } from "redis";
import { RedisStore } from "../../src";
import { sessionStoreContract } from "../../src/testing";
import { describeWithRedis, startRedisServer, type RedisServer } from "../helpers/redis-server";

describeWithRedis("RedisStore against a real redis-server", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  describe("the session store contract, with a client the store makes from a url", () => {
    for (const check of sessionStoreContract(() => new RedisStore({ url: server.url }))) it(check.name, check.run);
  });

  describe("the session store contract, with a node-redis client passed in", () => {
    let client: ReturnType<typeof createClient>;
    beforeAll(async () => {
      client = createClient({ url: server.url });
      await client.connect();
    });
    afterAll(async () => {
      await client.close();
    });
    for (const check of sessionStoreContract(() => new RedisStore({ client, prefix: "other:" }), { expiry: false })) it(check.name, check.run);
  });
});
