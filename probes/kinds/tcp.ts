import net from "node:net";
import tls from "node:tls";
import type { TcpProbe } from "../../core/probe.ts";
import { evaluateAll } from "../assertions.ts";
import { describePhase, type PhaseMarks, phasesFrom } from "../phases.ts";
import type { CheckOutcome, ProbeKind } from "./kind.ts";

/** Opens a TCP (optionally TLS) connection, times lookup, connect and handshake, then closes it. */
export const tcpKind: ProbeKind<TcpProbe> = {
  target: (probe) => `${probe.tls ? "tls" : "tcp"}://${probe.host}:${probe.port}`,
  check(probe, signal, context) {
    const now = () => performance.now();
    return new Promise<CheckOutcome>((resolve) => {
      const marks: PhaseMarks = { start: now() };
      if (net.isIP(probe.host)) marks.dns = marks.start;
      let certValidTo: Date | undefined;
      let settled = false;
      const socket = probe.tls
        ? tls.connect({
            host: probe.host,
            port: probe.port,
            servername: probe.tls.servername ?? (net.isIP(probe.host) ? undefined : probe.host),
            rejectUnauthorized: !probe.tls.insecureSkipVerify,
            ca: probe.tls.ca,
          })
        : net.connect({ host: probe.host, port: probe.port });
      const finish = (error: Error | undefined) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", onAbort);
        socket.destroy();
        const { phases, failedIn } = phasesFrom(marks, now());
        if (error) {
          const where = failedIn ? ` ${describePhase(failedIn)}` : "";
          const timedOut = (signal.reason as { name?: string } | undefined)?.name === "TimeoutError";
          const message = signal.aborted
            ? `${timedOut ? "timed out" : "aborted"} after ${Math.round(phases.total)} ms${where}`
            : `${error.message}${where ? ` (${where.trim()})` : ""}`;
          resolve({ ok: false, message, phases });
          return;
        }
        const result = evaluateAll(probe.assertions, {
          headers: {},
          body: "",
          durationMs: phases.total,
          certValidTo,
          now: context.wallNow(),
        });
        resolve({ ok: result.ok, phases, ...(result.ok ? {} : { message: result.message }) });
      };
      const onAbort = () => finish(new Error("aborted"));
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      socket.once("lookup", () => {
        marks.dns = now();
      });
      socket.once("connect", () => {
        marks.connect = now();
        marks.dns ??= marks.start;
        if (!probe.tls) {
          marks.tls = marks.connect;
          // A connect-only check has no response: it ends when the connection is up.
          marks.firstByte = marks.transfer = marks.connect;
          finish(undefined);
        }
      });
      socket.once("secureConnect", () => {
        marks.tls = now();
        marks.firstByte = marks.transfer = marks.tls;
        const validTo = (socket as tls.TLSSocket).getPeerCertificate()?.valid_to;
        if (validTo) certValidTo = new Date(validTo);
        finish(undefined);
      });
      socket.once("error", (error) => finish(error));
    });
  },
};
