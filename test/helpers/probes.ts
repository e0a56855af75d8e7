import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net, { type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CheckContext } from "../../probes/kinds/kind.ts";

export type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

export interface TestServer {
  /** http://127.0.0.1:PORT (or https://) */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A throwaway HTTP(S) server on 127.0.0.1, port 0. `close()` also ends hanging connections. */
export async function startServer(
  handler: Handler,
  tls?: { key: string; cert: string },
): Promise<TestServer> {
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A self-signed certificate for localhost / 127.0.0.1 valid for `days`, made with the openssl CLI. */
export function selfSignedCert(days: number): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), "pw-cert-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
        "-days",
        String(days),
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    return {
      key: readFileSync(join(dir, "key.pem"), "utf8"),
      cert: readFileSync(join(dir, "cert.pem"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A check context with the real clocks and a seeded-enough random. */
export function testContext(env: Record<string, string | undefined> = {}): CheckContext {
  return { env, random: Math.random, wallNow: Date.now };
}

/** Sum of the phases before `total`; equal to it for a single request. */
export function phaseSum(phases: {
  dns: number;
  connect: number;
  tls: number;
  firstByte: number;
  transfer: number;
}) {
  return phases.dns + phases.connect + phases.tls + phases.firstByte + phases.transfer;
}

/** A TCP proxy in front of a server that can be taken down (connections refused) and brought back. */
export interface SwitchableProxy {
  url: string;
  /** Stops accepting: new connections are reset at once and open ones are cut. */
  down(): void;
  up(): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 port 0 forwarding to `targetPort`; it keeps its port while down. */
export async function startSwitchableProxy(targetPort: number): Promise<SwitchableProxy> {
  let isUp = true;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!isUp) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      open.add(s);
      s.once("close", () => open.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    down() {
      isUp = false;
      for (const s of open) s.destroy();
    },
    up() {
      isUp = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
