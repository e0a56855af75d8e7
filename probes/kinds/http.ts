import type { HttpProbe } from "../../core/probe.ts";
import { observe, renderRequest, verdict } from "../request.ts";
import { timedRequest } from "../timed-request.ts";
import { type ProbeKind, zeroPhases } from "./kind.ts";

/** One HTTP request on a fresh connection, timed per phase, then the probe's assertions. */
export const httpKind: ProbeKind<HttpProbe> = {
  target: (probe) => probe.url,
  async check(probe, signal, context) {
    let request: ReturnType<typeof renderRequest>;
    try {
      request = renderRequest(probe, { vars: {}, env: context.env, random: context.random });
    } catch (error) {
      return { ok: false, message: (error as Error).message, phases: zeroPhases() };
    }
    const outcome = await timedRequest({ ...request, tls: probe.tls, signal });
    if (!outcome.ok) return { ok: false, message: outcome.message, phases: outcome.phases };
    const { response, phases } = outcome;
    const result = verdict(probe.assertions, observe(response, phases.total, context.wallNow()));
    return {
      ok: result.ok,
      status: response.status,
      phases,
      ...(result.ok ? {} : { message: result.message }),
    };
  },
};
