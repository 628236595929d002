import { Duplex } from "node:stream";

/** One end of an in-memory connection: what it writes, its peer reads. */
export class PipeEnd extends Duplex {
  peer: PipeEnd | undefined;
  // What http's client and server call on a net.Socket; nothing to do in memory.
  readonly remoteAddress = "127.0.0.1";
  readonly remotePort = 0;
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  override _read(): void {
    // Data is pushed by the peer's writes.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // Deliver on a later tick, as a socket would: the peer never runs inside the writer's call stack.
    process.nextTick(() => {
      const peer = this.peer;
      if (peer !== undefined && !peer.destroyed) peer.push(chunk);
      callback();
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    process.nextTick(() => {
      this.endPeer();
      callback();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Like a closed socket: the peer reads end-of-stream after what was already sent.
    process.nextTick(() => {
      this.endPeer();
    });
    callback(error);
  }

  private endPeer(): void {
    const peer = this.peer;
    if (peer !== undefined && !peer.destroyed && !peer.readableEnded) peer.push(null);
  }
}

export function pipePair(): [PipeEnd, PipeEnd] {
  const client = new PipeEnd();
  const server = new PipeEnd();
  client.peer = server;
  server.peer = client;
  return [client, server];
}
