import type { Journey } from "../../core/profile.ts";
import { requestStepsJourney } from "./request-steps.ts";
import type { ThinkTime } from "./session.ts";
import { type JourneyRun, shopJourneys } from "./shop.ts";

export interface ResolvedJourney {
  name: string;
  run: JourneyRun;
  thinkTime: ThinkTime | undefined;
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
      this.journeys.push({ name: j.name, run, thinkTime: j.thinkTime });
      this.cumulative.push(this.total);
    }
  }

  pick(random = Math.random()): ResolvedJourney {
    const x = random * this.total;
    const i = this.cumulative.findIndex((c) => x < c);
    return this.journeys[i === -1 ? this.journeys.length - 1 : i]!;
  }
}
