import type { Probe } from "../../core/probe.ts";
import type { ProbeKindName } from "../../core/probe-result.ts";
import { flowKind } from "./flow.ts";
import { httpKind } from "./http.ts";
import type { CheckContext, CheckOutcome, ProbeKind } from "./kind.ts";
import { tcpKind } from "./tcp.ts";

/** Every probe kind by name; a new kind is one file and one line here. */
export const probeKindRegistry: { [K in ProbeKindName]: ProbeKind<Extract<Probe, { kind: K }>> } = {
  http: httpKind,
  tcp: tcpKind,
  flow: flowKind,
};

const kindOf = (probe: Probe) => probeKindRegistry[probe.kind] as ProbeKind<Probe>;

/** Runs one check of `probe` with its kind. Never throws. */
export function checkProbe(probe: Probe, signal: AbortSignal, context: CheckContext): Promise<CheckOutcome> {
  return kindOf(probe).check(probe, signal, context);
}

/** The target a result shows for `probe`. */
export function targetOf(probe: Probe): string {
  return kindOf(probe).target(probe);
}
