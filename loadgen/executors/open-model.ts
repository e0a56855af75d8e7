import { segmentOf } from "../../core/execution-segment.ts";
import { rateSegments } from "../../core/profile.ts";
import { RateSchedule } from "../../core/rate.ts";
import { sleep } from "../clock.ts";
import { HttpClient } from "../http-client.ts";
import { JourneyPicker } from "../journeys/picker.ts";
import { CatalogCache, type JourneyContext, JourneySession } from "../journeys/session.ts";
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
 * waits at most maxQueueDelay, then counts as dropped. Latency runs from the scheduled time.
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
      const http = ctx.http ?? new HttpClient(ctx.target, clock, options.connections, options.timeout * 1000);
      const picker = new JourneyPicker(profile.journeys);
      const journeyContext: JourneyContext = {
        http,
        aggregator,
        clock,
        timeoutMs: options.timeout * 1000,
        signal,
        testHooksToken: ctx.testHooksToken,
        catalog: new CatalogCache(),
      };
      // LIFO reuse keeps few users hot, so each keeps its session like a returning shopper.
      const free: VirtualUser[] = [];
      let created = 0;
      const waiting = new ArrivalQueue();
      /** Resolves once no journey is in flight after the schedule ended. */
      let settled: (() => void) | undefined;

      const acquire = () =>
        free.pop() ?? (created < options.maxVUs ? new VirtualUser(created++, ctx.customers) : undefined);

      /** One journey from its start to its end; one promise per arrival, no closures of its own. */
      const runJourney = async (vu: VirtualUser, arrivalMs: number) => {
        const journey = picker.pick();
        const session = new JourneySession(vu, journeyContext, arrivalMs, journey.thinkTime);
        try {
          await journey.run(session);
          session.finish();
        } catch (error) {
          session.fail("journey_threw", error instanceof Error ? error.message : String(error));
        }
        const end = clock.now();
        if (!session.cancelled) aggregator.journeyEnd(end, (end - arrivalMs) * 1000, session.failure);
        active--;
        release(vu);
        if (active === 0) settled?.();
      };

      /**
       * Starts a journey for the arrival scheduled at `scheduledMs`. Latency runs from that
       * instant when the arrival waited for a free user (the target's slowness). Otherwise it runs
       * from its send: an arrival the generator sent late has its lateness in the scheduling lag,
       * and one sent early within SEND_SLACK_MS is never measured as shorter than it was.
       */
      const start = (vu: VirtualUser, scheduledMs: number, queued: boolean, now: number) => {
        aggregator.arrival(scheduledMs, true);
        if (!queued) ctx.lag?.record(now - scheduledMs);
        active++;
        void runJourney(vu, queued ? scheduledMs : now);
      };

      const dropExpired = (now: number) => {
        while (waiting.length > 0 && now - waiting.peek()! > maxDelayMs)
          aggregator.arrival(waiting.shift()!, false);
      };

      // A freed user takes the oldest arrival still within its bound.
      const release = (vu: VirtualUser) => {
        if (!signal.aborted && waiting.length > 0) {
          const now = clock.now();
          dropExpired(now);
          const at = waiting.shift();
          if (at !== undefined) return start(vu, at, true, now);
        }
        free.push(vu);
      };

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
            while (waiting.length > 0) aggregator.arrival(waiting.shift()!, false);
            return resolve();
          }
          const now = clock.now();
          dropExpired(now);
          // Every arrival due by the next wake-up's earliest moment goes now, in one batch: one
          // timer per batch, not per arrival, and none of them later than the timer's granularity.
          const horizon = now + SEND_SLACK_MS;
          while (next !== undefined && next <= horizon) {
            const vu = waiting.length === 0 ? acquire() : undefined;
            if (vu) start(vu, next, false, now);
            else waiting.push(next);
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
      if (active > 0) await Promise.race([allDone, sleep(grace, waited.signal)]);
      waited.abort(); // its timer must not keep the process alive
      await http.close(true);
    },
  };
};
