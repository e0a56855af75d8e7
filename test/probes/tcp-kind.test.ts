import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TcpProbeSchema } from "../../core/probe.ts";
import { tcpKind } from "../../probes/kinds/tcp.ts";
import { phaseSum, selfSignedCert, startServer, type TestServer, testContext } from "../helpers/probes.ts";

const probe = (over: Record<string, unknown>) =>
  TcpProbeSchema.parse({ kind: "tcp", name: "t", host: "127.0.0.1", port: 1, ...over });
const check = (over: Record<string, unknown>, timeoutMs = 5000) =>
  tcpKind.check(probe(over), AbortSignal.timeout(timeoutMs), testContext());

describe("tcp probe against local servers", () => {
  const tls = selfSignedCert(30);
  let plain: TestServer;
  let secure: TestServer;
  beforeAll(async () => {
    plain = await startServer((_q, s) => s.end());
    secure = await startServer((_q, s) => s.end(), tls);
  });
  afterAll(async () => {
    await plain.close();
    await secure.close();
  });

  it("connects and times the connect phase", async () => {
    const result = await check({ port: plain.port, assertions: [{ type: "latencyBelow", ms: 2000 }] });
    expect(result).toMatchObject({ ok: true });
    expect(result.phases.connect).toBeGreaterThan(0);
    expect(result.phases.tls).toBe(0);
    expect(phaseSum(result.phases)).toBeCloseTo(result.phases.total, 6);
  });

  it("reports a refused port", async () => {
    const closed = await startServer(() => {});
    await closed.close();
    const result = await check({ port: closed.port });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/ECONNREFUSED.*\(connecting\)/);
  });

  it("times the TLS handshake and checks the certificate", async () => {
    const ok = await check({ port: secure.port, tls: { ca: tls.cert, servername: "localhost" } });
    expect(ok.message).toBeUndefined();
    expect(ok.phases.tls).toBeGreaterThan(0);
    const expiring = await check({
      port: secure.port,
      tls: { insecureSkipVerify: true },
      assertions: [{ type: "certDaysLeft", min: 45 }],
    });
    expect(expiring.ok).toBe(false);
    expect(expiring.message).toMatch(/at least 45 days, it has (29|30)\.\d days left/);
  });

  it("times out a handshake that never completes", async () => {
    // A TCP server that accepts and says nothing: the TLS handshake hangs.
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const result = await check({ port, tls: { insecureSkipVerify: true } }, 300);
    silent.close();
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^timed out after \d+ ms in the TLS handshake$/);
    expect(result.phases.total).toBeGreaterThanOrEqual(290);
  });
});
