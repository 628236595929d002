import { MemoryStore } from "../../src";
import type { SessionFields, SessionPatch, SessionStore, StoredSession } from "../../src";

/** A MemoryStore that counts the calls made to it, to prove when the store is (not) touched. */
export class CountingStore implements SessionStore {
  readonly inner = new MemoryStore();
  readonly calls: string[] = [];

  get(callSid: string): Promise<StoredSession | undefined> {
    this.calls.push(`get ${callSid}`);
    return this.inner.get(callSid);
  }
  compareAndSet(callSid: string, expected: string | undefined, fields: SessionFields, ttl: number | undefined): Promise<boolean> {
    this.calls.push(`compareAndSet ${callSid}`);
    return this.inner.compareAndSet(callSid, expected, fields, ttl);
  }
  patch(callSid: string, changes: SessionPatch, ttl: number | undefined): Promise<void> {
    this.calls.push(`patch ${callSid}`);
    return this.inner.patch(callSid, changes, ttl);
  }
  destroy(callSid: string): Promise<void> {
    this.calls.push(`destroy ${callSid}`);
    return this.inner.destroy(callSid);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A store without `patch`: `set`/`delete` then go through the get + compareAndSet loop. */
export function withoutPatch(store: SessionStore): SessionStore {
  return {
    get: (callSid) => store.get(callSid),
    compareAndSet: (callSid, expected, fields, ttl) => store.compareAndSet(callSid, expected, fields, ttl),
    destroy: (callSid) => store.destroy(callSid),
  };
}
