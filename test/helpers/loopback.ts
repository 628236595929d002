import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Loopback {
  /** `127.0.0.1:<port>`. */
  host: string;
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** Stops listening and ends keep-alive connections, so that closing never waits on an idle client. */
  close(): Promise<void>;
}

/**
 * An HTTP server on 127.0.0.1 and a free port, handing every request to the listener made for
 * its host (`make` gets the host, for apps whose `urlFor` needs it).
 */
export async function listenLoopback(make: (host: string) => http.RequestListener): Promise<Loopback> {
  const server = http.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  server.on("request", make(host));
  return {
    host,
    base: `http://${host}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
