import { MemoryStore } from "../../src";
import { sessionStoreContract } from "../../src/testing";

describe("MemoryStore: the session store contract", () => {
  for (const check of sessionStoreContract(() => new MemoryStore())) it(check.name, check.run);
});
