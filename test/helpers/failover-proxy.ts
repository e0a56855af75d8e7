import type { AddressInfo } from "node:net";
import { connect, createServer, type Socket } from "node:net";

/**
 * A TCP load balancer on 127.0.0.1:0 in front of hub replicas, as a Kubernetes Service is:
 * each new connection goes to the next backend in turn, and to the one after when a backend
 * refuses (it died). Connections are piped byte for byte; nothing is parsed.
 */
export interface FailoverProxy {
  url: string;
  /** Connections per backend port. */
  connections: Map<number, number>;
  close(): Promise<void>;
}

export async function startFailoverProxy(backendPorts: () => ReadonlyArray<number>): Promise<FailoverProxy> {
  const connections = new Map<number, number>();
  const open = new Set<Socket>();
  let next = 0;
  const server = createServer((client) => {
    open.add(client);
    client.on("close", () => open.delete(client));
    client.on("error", () => client.destroy());
    client.pause();
    const ports = backendPorts();
    const start = next++;
    const attempt = (tried: number) => {
      if (tried >= ports.length) {
        client.destroy();
        return;
      }
      const port = ports[(start + tried) % ports.length]!;
      const upstream = connect(port, "127.0.0.1");
      upstream.once("error", () => {
        upstream.destroy();
        attempt(tried + 1);
      });
      upstream.once("connect", () => {
        connections.set(port, (connections.get(port) ?? 0) + 1);
        upstream.removeAllListeners("error");
        open.add(upstream);
        upstream.on("close", () => {
          open.delete(upstream);
          client.destroy();
        });
        upstream.on("error", () => client.destroy());
        client.on("close", () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
