import { createServer } from "node:net";

/** Resolves true when `port` can be bound on `host` right now (0 always can). */
export function portIsFree(host: string, port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the OS reports free on `host` (for tests and for `PEAKWATCH_*_PORT=0`). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host, port: 0 }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The first port above `port` (within 100) free on `host` and not in `taken`; undefined when none is. */
export async function suggestPort(
  host: string,
  port: number,
  taken: ReadonlySet<number>,
): Promise<number | undefined> {
  for (let candidate = port + 1; candidate <= Math.min(65_535, port + 100); candidate++)
    if (!taken.has(candidate) && (await portIsFree(host, candidate))) return candidate;
  return undefined;
}
