import type { RequestStep } from "../../core/profile.ts";
import type { JourneyRun } from "./shop.ts";

/** A custom journey from a profile: its request steps in order, with think time between them. */
export function requestStepsJourney(steps: ReadonlyArray<RequestStep>): JourneyRun {
  return async (s) => {
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      if (i > 0) await s.think();
      const r = await s.request(step.name, {
        method: step.method,
        path: step.path,
        headers: step.headers,
        json: step.body,
        expect: step.expectStatus,
      });
      if (!r) return;
    }
  };
}
