import type { Failure } from "../../core/error-causes.ts";
import { segmentOf } from "../../core/execution-segment.ts";
import { rateSegments } from "../../core/profile.ts";
import { RateSchedule } from "../../core/rate.ts";
import { sleep } from "../clock.ts";
import { HttpClient } from "../http-client.ts";
import { KnownProducts } from "../journeys/known-products.ts";
import { JourneyPicker, type ResolvedJourney } from "../journeys/picker.ts";
import { type JourneyContext, JourneySession } from "../journeys/session.ts";
import { prepareSteps, StepFlow, type StepsJourney } from "../journeys/step-flow.ts";
import { VirtualUser } from "../virtual-user.ts";
import { ArrivalQueue } from "./arrival-queue.ts";
import type { ExecutorFactory } from "./executor.ts";

/**
 * How far ahead of its scheduled instant an arrival may be sent with the batch of a wake-up:
 * node's timers fire on whole milliseconds, so without it an arrival waits up to one for the next.
 */
const SEND_SLACK_MS = 1;

/**
 * Open model (arrival rate): each arrival starts a journey at its scheduled time on the
 * profile's rate curve, whether or not earlier ones finished. Journeys in flight are bounded
 * by maxVUs and HTTP connections by the pool size; an arrival that finds no free virtual user
 * waits at most maxQueueDelay, then counts as dropped; one that finds every connection busy
 * waits (as a bare timestamp) for one. Latency runs from the scheduled time when it waited.
 * One worker of a split run sends only its execution segment's arrivals.
 */
export const openModel: ExecutorFactory = (profile, startMs, segment) => {
  const schedule = segmentOf(new RateSchedule(rateSegments(profile)), segment);
  const startSeconds = startMs / 1000;
  let active = 0;
  return {
    plannedSeconds: schedule.totalSeconds,
    targetOf: (second) => schedule.arrivalsBetween(second - startSeconds, second + 1 - startSeconds),
    targetRateAt: (nowMs) => schedule.rateAt((nowMs - startMs) / 1000),
    status: () => ({ active }),
    async run(ctx) {
      const { clock, aggregator, signal } = ctx;
      const options = profile.executor;
      const maxDelayMs = options.maxQueueDelay * 1000;
      const maxVUs = options.maxVUs;
      const http = ctx.http ?? new HttpClient(ctx.target, clock, options.connections, options.timeout * 1000);
      const picker = new JourneyPicker(profile.journeys);
      const journeyContext: JourneyContext = {
        http,
        aggregator,
        clock,
        timeoutMs: options.timeout * 1000,
        signal,
        testHooksToken: ctx.testHooksToken,
        catalog: new KnownProducts(),
      };
      // Journeys of plain request steps run on callbacks (StepFlow); the built-in ones as async code.
      const prepared = new Map<ResolvedJourney, StepsJourney>();
      for (const j of picker.all)
        if (j.requestSteps) prepared.set(j, prepareSteps(j.requestSteps, j.thinkTime, ctx.testHooksToken));
      // LIFO reuse keeps few users hot, so each keeps its session like a returning shopper.
      const free: VirtualUser[] = [];
      let created = 0;
      const flows: StepFlow[] = [];
      const allFlows: StepFlow[] = [];
      /**
       * Arrivals that have a user's place (journeys in flight plus these stay within maxVUs) and
       * wait for a free connection, as bare timestamps: never dropped, as a journey whose request
       * waited in the pool's queue never was.
       */
      const ready = new ArrivalQueue();
      /** Arrivals beyond maxVUs, waiting for a user's place: dropped after maxQueueDelay. */
      const waiting = new ArrivalQueue();
      /** Resolves once no journey is in flight or ready after the schedule ended. */
      let settled: (() => void) | undefined;

      const acquire = () => free.pop() ?? new VirtualUser(ctx.firstUser + created++, ctx.customers);

      /** A journey ended at `endMs`: it is recorded, and its user takes the next waiting arrival. */
      const ended = (
        vu: VirtualUser,
        endMs: number,
        arrivalMs: number,
        failure: Failure | undefined,
        cancelled: boolean,
      ) => {
        if (!cancelled) aggregator.journeyEnd(endMs, (endMs - arrivalMs) * 1000, failure);
        active--;
        free.push(vu);
        pump();
        if (active === 0 && ready.length === 0) settled?.();
      };

      const flowEnded = (flow: StepFlow) => {
        flows.push(flow);
        ended(flow.vu, flow.endMs, flow.arrivalMs, flow.failure, flow.cancelled);
      };

      /** A built-in journey from its start to its end; one promise per arrival. */
      const runJourney = async (vu: VirtualUser, journey: ResolvedJourney, arrivalMs: number) => {
        const session = new JourneySession(vu, journeyContext, arrivalMs, journey.thinkTime);
        try {
          await journey.run(session);
          session.finish();
        } catch (error) {
          session.fail("journey_threw", error instanceof Error ? error.message : String(error));
        }
        ended(vu, clock.now(), arrivalMs, session.failure, session.cancelled);
      };

      /**
       * Starts a journey for the arrival scheduled at `scheduledMs`. Latency runs from that
       * instant when the arrival waited for a user or a connection (the target's slowness).
       * Otherwise it runs from its send: an arrival the generator sent late has its lateness in the
       * scheduling lag, and one sent early within SEND_SLACK_MS is never measured as shorter.
       */
      const start = (scheduledMs: number, queued: boolean, now: number) => {
        if (!queued) {
          aggregator.arrival(scheduledMs, true);
          ctx.lag?.record(now - scheduledMs);
        }
        active++;
        const vu = acquire();
        const journey = picker.pick();
        const arrivalMs = queued ? scheduledMs : now;
        const steps = prepared.get(journey);
        if (steps === undefined) {
          void runJourney(vu, journey, arrivalMs);
          return;
        }
        let flow = flows.pop();
        if (flow === undefined) {
          flow = new StepFlow(journeyContext, flowEnded);
          allFlows.push(flow);
        }
        flow.start(vu, steps, arrivalMs);
      };

      /**
       * An arrival that got a user's place waits for a connection. It counts as started now, in
       * its scheduled second (the run's per-second arrival counts), like a journey whose first
       * request waits in the pool's queue; its latency will run from its scheduled instant.
       */
      const admit = (scheduledMs: number) => {
        aggregator.arrival(scheduledMs, true);
        ready.push(scheduledMs);
      };

      /**
       * The run stopped (or its grace ran out): arrivals still waiting for a user's place count as
       * dropped. Ready ones were counted as started when they got their place, as a journey whose
       * request was still queued for a connection when the run stopped always was.
       */
      const dropAll = () => {
        while (ready.length > 0) ready.shift();
        while (waiting.length > 0) aggregator.arrival(waiting.shift()!, false);
      };

      const dropExpired = (now: number) => {
        while (waiting.length > 0 && now - waiting.peek()! > maxDelayMs)
          aggregator.arrival(waiting.shift()!, false);
      };

      /** Waiting arrivals take the users' places freed, then ready ones the connections freed. */
      const pump = () => {
        if (signal.aborted) return;
        if (waiting.length > 0) {
          dropExpired(clock.now());
          while (waiting.length > 0 && active + ready.length < maxVUs) admit(waiting.shift()!);
        }
        while (ready.length > 0 && !http.busy) start(ready.shift()!, true, 0);
      };
      http.onFree = pump;

      // The next arrival, as epoch ms; the schedule is walked once, in order.
      let k = 0;
      const nextAt = () => {
        const t = schedule.arrivalTime(k++);
        return t === undefined ? undefined : startMs + t * 1000;
      };
      let next = nextAt();
      await new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const tick = () => {
          timer = undefined;
          if (signal.aborted) {
            // Arrivals still waiting when the run stops never started: they were dropped.
            dropAll();
            for (const flow of allFlows) flow.stopThinking();
            return resolve();
          }
          pump();
          const now = clock.now();
          // Every arrival due by the next wake-up's earliest moment goes now, in one batch: one
          // timer per batch, not per arrival, and none of them later than the timer's granularity.
          const horizon = now + SEND_SLACK_MS;
          while (next !== undefined && next <= horizon) {
            if (waiting.length > 0 || active + ready.length >= maxVUs) waiting.push(next);
            else if (ready.length > 0 || http.busy) {
              // Taken up on time by the generator: its wait for a connection is the target's doing.
              ctx.lag?.record(now - next);
              admit(next);
            } else start(next, false, now);
            next = nextAt();
          }
          if (next === undefined && waiting.length === 0) return resolve();
          let wakeAt = next === undefined ? Number.POSITIVE_INFINITY : next - SEND_SLACK_MS;
          if (waiting.length > 0) wakeAt = Math.min(wakeAt, waiting.peek()! + maxDelayMs + 1);
          timer = setTimeout(tick, Math.max(0, wakeAt - clock.now()));
        };
        signal.addEventListener(
          "abort",
          () => {
            if (timer) clearTimeout(timer);
            tick();
          },
          { once: true },
        );
        tick();
      });
      // Let journeys in flight finish (they stop at their next step when aborted).
      const grace = signal.aborted ? 3000 : options.timeout * 1000 * 3;
      const waited = new AbortController();
      const allDone = new Promise<void>((resolve) => {
        settled = resolve;
      });
      if (active > 0 || ready.length > 0) await Promise.race([allDone, sleep(grace, waited.signal)]);
      waited.abort(); // its timer must not keep the process alive
      dropAll();
      http.onFree = undefined;
      await http.close(true);
    },
  };
};
