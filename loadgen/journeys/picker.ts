import type { Journey, RequestStep } from "../../core/profile.ts";
import { requestStepsJourney } from "./request-steps.ts";
import type { ThinkTime } from "./session.ts";
import { type JourneyRun, shopJourneys } from "./shop.ts";

export interface ResolvedJourney {
  name: string;
  run: JourneyRun;
  thinkTime: ThinkTime | undefined;
  /** A profile's custom journey: its request steps (`run` sends them too, one promise a step). */
  requestSteps: ReadonlyArray<RequestStep> | undefined;
}

/** Picks journeys at random in proportion to their weights. */
export class JourneyPicker {
  private readonly journeys: ResolvedJourney[] = [];
  private readonly cumulative: number[] = [];
  private total = 0;

  constructor(journeys: ReadonlyArray<Journey>) {
    for (const j of journeys) {
      if (j.weight <= 0) continue;
      const run = j.steps ? requestStepsJourney(j.steps) : shopJourneys[j.name as keyof typeof shopJourneys];
      this.total += j.weight;
      this.journeys.push({ name: j.name, run, thinkTime: j.thinkTime, requestSteps: j.steps });
      this.cumulative.push(this.total);
    }
  }

  /** Every journey that can be picked, in the profile's order. */
  get all(): ReadonlyArray<ResolvedJourney> {
    return this.journeys;
  }

  pick(random = Math.random()): ResolvedJourney {
    const x = random * this.total;
    const last = this.journeys.length - 1;
    let i = 0;
    while (i < last && x >= this.cumulative[i]!) i++;
    return this.journeys[i]!;
  }
}
