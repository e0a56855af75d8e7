import type { Phases } from "../../core/probe-result.ts";

/** A phase of a check with a duration of its own (all but `total`). */
export type PhaseName = Exclude<keyof Phases, "total">;

/** Phases a check did not have, each with why ("no TLS: http://"), for its tooltip. */
export type SkippedPhases = Partial<Record<PhaseName, string>>;

const noRequest = "no request: a TCP check ends at the connection";

/** Phases a scheme rules out: http has no handshake, a TCP check sends nothing (probes/kinds/tcp.ts). */
const skippedBy: Record<string, SkippedPhases> = {
  "http:": { tls: "no TLS: http://" },
  "tcp:": { tls: "no TLS: tcp://", firstByte: noRequest, transfer: noRequest },
  "tls:": { firstByte: noRequest, transfer: noRequest },
};

/** An IPv4 literal (as the URL parser leaves it) or a bracketed IPv6 one. */
const ipLiteral = /^(\d{1,3}\.){3}\d{1,3}$|^\[[\d:a-f.]+\]$/i;

/** In the order a check goes through them (probes/phases.ts), with the words the phase bar uses. */
const phaseLabels: [PhaseName, string][] = [
  ["dns", "DNS"],
  ["connect", "connect"],
  ["tls", "TLS"],
  ["firstByte", "first byte"],
  ["transfer", "transfer"],
];

/** How a check ended, as far as telling which phases it reached goes. */
export interface CheckOutcome {
  kind: string;
  ok: boolean;
  /** The HTTP status; a failed check without one never got a response. */
  status?: number | undefined;
}

/**
 * The phases a check of `target` did not have, each with why ("no TLS: http://", "no DNS
 * lookup: IP address", "not reached: the check failed in connect"), to show as not applicable
 * rather than as a measured 0 ms. The probes record such a phase as 0 (probes/phases.ts), so
 * only a zero one counts: a flow probe's target is its first step, and a later https step's
 * handshake did happen. A check that failed before any response (no status) stopped in its last
 * phase that took time; the zero phases after it were never reached. Pure.
 */
export function skippedPhases(target: string, phases: Phases, outcome?: CheckOutcome): SkippedPhases {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return {};
  }
  const skipped: SkippedPhases = { ...skippedBy[url.protocol] };
  if (ipLiteral.test(url.hostname)) skipped.dns = "no DNS lookup: IP address";
  if (outcome && !outcome.ok && outcome.status === undefined && outcome.kind !== "flow") {
    const stopped = phaseLabels.findLastIndex(([phase]) => phases[phase] > 0);
    const where = stopped === -1 ? "before its first phase" : `in ${phaseLabels[stopped]![1]}`;
    for (const [phase] of phaseLabels.slice(stopped + 1))
      skipped[phase] ??= `not reached: the check failed ${where}`;
  }
  for (const phase of Object.keys(skipped) as PhaseName[]) if (phases[phase] !== 0) delete skipped[phase];
  return skipped;
}
