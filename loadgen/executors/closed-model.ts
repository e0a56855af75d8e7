import autocannon from "autocannon";
import { transportCauseOf } from "../../core/error-causes.ts";
import type { RequestStep } from "../../core/profile.ts";
import { classifyStatus } from "../journeys/session.ts";
import { syntheticAddress } from "../virtual-user.ts";
import type { ExecutorFactory } from "./executor.ts";

/**
 * Closed model (fixed concurrency) on autocannon, for saturation and soak runs: each stage
 * keeps `connections` connections busy for its duration, cycling through the journeys'
 * request steps. autocannon's coordinated-omission correction (only active with a rate)
 * assumes a 1 ms interval and inflates counts, so no rate is ever given to it and windows are
 * built from its `response` events instead.
 */
export const closedModel: ExecutorFactory = (profile, startMs) => {
  const plannedSeconds = profile.stages.reduce((s, st) => s + st.duration, 0);
  let active = 0;
  return {
    plannedSeconds,
    targetRateAt: () => 0,
    status: () => ({ active }),
    async run(ctx) {
      const { clock, aggregator, signal } = ctx;
      const steps: RequestStep[] = profile.journeys.filter((j) => j.weight > 0).flatMap((j) => j.steps ?? []);
      let offset = 0;
      for (const stage of profile.stages) {
        if (signal.aborted) break;
        // A late start (a slow previous stage) shortens this stage so the run keeps its length.
        offset += stage.duration;
        const seconds = Math.round((startMs + offset * 1000 - clock.now()) / 1000);
        if (seconds < 1) continue;
        active = stage.connections ?? 1;
        const responses = new WeakMap<object, number>();
        let finished: () => void = () => {};
        const done = new Promise<void>((resolve) => {
          finished = resolve;
        });
        const instance = autocannon(
          {
            url: ctx.target,
            connections: active,
            duration: seconds,
            timeout: profile.executor.timeout,
            headers: { "x-forwarded-for": syntheticAddress(0) },
            requests: steps.map((s) => ({
              method: s.method,
              path: s.path,
              // JSON routes refuse bodies without a JSON content type (CSRF hardening, issue 14).
              headers:
                s.body === undefined ? s.headers : { "content-type": "application/json", ...s.headers },
              body: s.body === undefined ? undefined : JSON.stringify(s.body),
            })),
          },
          () => finished(),
        );
        // Each connection sends the steps in order (no pipelining), so its n-th response is step n mod len.
        instance.on("response", (client: object, status: number, bytes: number, responseTime: number) => {
          const n = responses.get(client) ?? 0;
          responses.set(client, n + 1);
          const step = steps[n % steps.length]!;
          const micros = responseTime * 1000;
          aggregator.request(
            step.name,
            clock.now(),
            micros,
            micros,
            bytes,
            classifyStatus(status, step.expectStatus),
          );
        });
        instance.on("reqError", (error: Error) => {
          const code = (error as { code?: string }).code;
          const cause = transportCauseOf(code, error.message);
          const micros = cause.startsWith("timeout") ? profile.executor.timeout * 1e6 : 1;
          aggregator.request(steps[0]!.name, clock.now(), micros, undefined, 0, {
            cause,
            message: code ? `${code}: ${error.message}` : error.message,
          });
        });
        const stop = () => instance.stop();
        signal.addEventListener("abort", stop, { once: true });
        await done;
        signal.removeEventListener("abort", stop);
      }
      active = 0;
    },
  };
};
