import { setTimeout as sleep } from "node:timers/promises";
import type { FlowProbe, FlowStep } from "../../core/probe.ts";
import type { Phases, ProbeResult } from "../../core/probe-result.ts";
import { capture } from "../capture.ts";
import { CookieJar } from "../cookie-jar.ts";
import { observe, renderRequest, verdict } from "../request.ts";
import { render, type TemplateContext } from "../template.ts";
import { timedRequest } from "../timed-request.ts";
import { addPhases, type CheckContext, type ProbeKind, zeroPhases } from "./kind.ts";

type StepResult = NonNullable<ProbeResult["steps"]>[number];

interface StepOutcome {
  result: StepResult;
  phases: Phases;
  captured: Record<string, string>;
}

/**
 * A sequence of HTTP steps acting as one visitor: cookies carry over, values captured from one
 * step are `{{name}}` in the next, and a step may retry (e.g. until a mail arrives). The flow
 * stops at the first failing step. Phases are summed over every request the flow made; `total`
 * is the flow's wall time, retry pauses included.
 */
export const flowKind: ProbeKind<FlowProbe> = {
  target: (probe) => probe.steps[0]!.url,
  async check(probe, signal, context) {
    const started = performance.now();
    const vars: Record<string, string> = {};
    const templates = (): TemplateContext => ({ vars, env: context.env, random: context.random });
    try {
      for (const [name, value] of Object.entries(probe.vars)) vars[name] = render(value, templates());
    } catch (error) {
      return { ok: false, message: `vars: ${(error as Error).message}`, phases: zeroPhases() };
    }
    const jar = new CookieJar();
    const steps: StepResult[] = [];
    let phases = zeroPhases();
    let lastStatus: number | undefined;
    for (const step of probe.steps) {
      const outcome = await runStep(step, jar, templates, signal, context);
      steps.push(outcome.result);
      phases = addPhases(phases, outcome.phases);
      lastStatus = outcome.result.status ?? lastStatus;
      if (!outcome.result.ok) {
        return {
          ok: false,
          status: lastStatus,
          message: `step ${step.name}: ${outcome.result.message}`,
          phases: { ...phases, total: performance.now() - started },
          steps,
        };
      }
      Object.assign(vars, outcome.captured);
    }
    return { ok: true, status: lastStatus, phases: { ...phases, total: performance.now() - started }, steps };
  },
};

async function runStep(
  step: FlowStep,
  jar: CookieJar,
  templates: () => TemplateContext,
  signal: AbortSignal,
  context: CheckContext,
): Promise<StepOutcome> {
  const started = performance.now();
  const attempts = step.retry?.attempts ?? 1;
  let phases = zeroPhases();
  let status: number | undefined;
  let message = "not run";
  let failedAttempts = 0;
  let cutShort: string | undefined;
  for (let attempt = 1; attempt <= attempts && !signal.aborted; attempt++) {
    if (attempt > 1) await sleep(step.retry?.delay ?? 0, undefined, { signal }).catch(() => {});
    if (signal.aborted) break;
    let request: ReturnType<typeof renderRequest>;
    try {
      request = renderRequest(step, templates());
    } catch (error) {
      message = (error as Error).message;
      break;
    }
    const cookie = jar.header();
    if (cookie) request.headers.cookie = cookie;
    const outcome = await timedRequest({ ...request, tls: step.tls, signal });
    phases = addPhases(phases, outcome.phases);
    if (!outcome.ok) {
      // A request cut off by the flow's deadline says less than the attempt before it.
      if (signal.aborted) cutShort = outcome.message;
      else message = outcome.message;
      failedAttempts += signal.aborted ? 0 : 1;
      continue;
    }
    const { response } = outcome;
    status = response.status;
    jar.store(response.setCookies, context.wallNow());
    const checked = verdict(step.assertions, observe(response, outcome.phases.total, context.wallNow()));
    if (!checked.ok) {
      message = checked.message;
      failedAttempts++;
      continue;
    }
    const captured: Record<string, string> = {};
    const failure = step.capture
      .map((c) => [c.name, capture(c, response)] as const)
      .find(([name, result]) => {
        if (result.ok) captured[name] = result.value;
        return !result.ok;
      });
    if (failure && !failure[1].ok) {
      message = failure[1].message;
      failedAttempts++;
      continue;
    }
    const durationMs = performance.now() - started;
    return { result: { name: step.name, ok: true, status, durationMs }, phases, captured };
  }
  if (signal.aborted) {
    const stopped = timedOut(signal) ? "timed out" : "aborted";
    if (failedAttempts > 0)
      message = `${stopped} after ${failedAttempts} attempt${failedAttempts === 1 ? "" : "s"}; last: ${message}`;
    else message = cutShort ?? `${stopped} before the step ran`;
  }
  const durationMs = performance.now() - started;
  return {
    result: {
      name: step.name,
      ok: false,
      durationMs,
      message: message.slice(0, 2000),
      ...(status ? { status } : {}),
    },
    phases,
    captured: {},
  };
}

const timedOut = (signal: AbortSignal) =>
  (signal.reason as { name?: string } | undefined)?.name === "TimeoutError";
