import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { jitterOf, type Probe } from "../core/probe.ts";
import type { ProbeResult } from "../core/probe-result.ts";
import { checkProbe, targetOf } from "./kinds/index.ts";
import type { CheckContext, CheckOutcome } from "./kinds/kind.ts";
import { Semaphore } from "./semaphore.ts";
import { initialHealth, nextHealth, type ProbeHealth } from "./thresholds.ts";

export interface SchedulerOptions {
  probes: ReadonlyArray<Probe>;
  /** The region label of results whose probe names none. */
  region: string;
  /** Checks running at once, across all probes. */
  concurrency: number;
  context: CheckContext;
  /** Receives every result; must not block (hand it to a buffer). */
  onResult: (result: ProbeResult) => void;
  /** Called when a probe's slot comes while its previous check still runs (that slot is skipped). */
  onSkip?: (probe: Probe) => void;
  /** Runs one check; the registry's `checkProbe` unless a test injects another. */
  check?: (probe: Probe, signal: AbortSignal, context: CheckContext) => Promise<CheckOutcome>;
  /** Monotonic clock for timers (ms). */
  now?: () => number;
  /** Wall clock for `startedAt` (epoch ms). */
  wallNow?: () => number;
  random?: () => number;
}

interface Slot {
  probe: Probe;
  /** Bumped when the slot is rescheduled or removed, so a stale timer chain stops. */
  generation: number;
  health: ProbeHealth;
  running: boolean;
  last?: ProbeResult;
  timer?: NodeJS.Timeout;
}

/**
 * Runs every probe on its own timer: slot k of a probe is at `phase + k × interval`, and each
 * check starts up to `jitter` after its slot, so probes never fire in lockstep and the average
 * interval never drifts. A probe's timer never waits for any check, its own included: a slow or
 * hanging check ends at its timeout and meanwhile delays nobody (a slot that comes while the
 * previous check still runs is skipped and counted). At most `concurrency` checks run at once.
 */
export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #slots = new Map<string, Slot>();
  #started = false;
  readonly #semaphore: Semaphore;
  readonly #stop = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  /** One controller per running check, aborted on timeout or stop. */
  readonly #running = new Set<AbortController>();
  readonly #now: () => number;
  readonly #random: () => number;

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#semaphore = new Semaphore(options.concurrency);
    this.#now = options.now ?? (() => performance.now());
    this.#random = options.random ?? Math.random;
    for (const probe of options.probes)
      if (probe.enabled)
        this.#slots.set(probe.name, { probe, generation: 0, health: initialHealth, running: false });
  }

  /** Starts every probe's timer. The first slot of each probe is spread over its jitter. */
  start(): void {
    this.#started = true;
    const start = this.#now();
    for (const slot of this.#slots.values()) this.#schedule(slot, slot.generation, start, 0);
  }

  /**
   * Replaces the probe set without a restart: a probe whose definition is unchanged keeps its
   * timer; a changed one keeps its health and restarts its timer; a removed one stops (a check
   * in flight still reports); a new one starts.
   */
  update(probes: ReadonlyArray<Probe>): void {
    const wanted = new Map(probes.filter((p) => p.enabled).map((p) => [p.name, p]));
    for (const [name, slot] of this.#slots) {
      if (wanted.has(name)) continue;
      clearTimeout(slot.timer);
      slot.generation++;
      this.#slots.delete(name);
    }
    const start = this.#now();
    for (const [name, probe] of wanted) {
      const slot = this.#slots.get(name);
      if (slot && isDeepStrictEqual(slot.probe, probe)) continue;
      if (slot) {
        clearTimeout(slot.timer);
        slot.generation++;
        slot.probe = probe;
        if (this.#started) this.#schedule(slot, slot.generation, start, 0);
        continue;
      }
      const fresh: Slot = { probe, generation: 0, health: initialHealth, running: false };
      this.#slots.set(name, fresh);
      if (this.#started) this.#schedule(fresh, 0, start, 0);
    }
  }

  /** Stops scheduling, aborts running checks and waits for them to report. */
  async stop(): Promise<void> {
    for (const slot of this.#slots.values()) clearTimeout(slot.timer);
    this.#stop.abort(new Error("probes stopping"));
    for (const controller of this.#running) controller.abort(this.#stop.signal.reason);
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Each probe's definition, health and last result (for GET /probes and the metrics). */
  states(): ReadonlyArray<{ probe: Probe; health: ProbeHealth; last: ProbeResult | undefined }> {
    return [...this.#slots.values()].map((s) => ({ probe: s.probe, health: s.health, last: s.last }));
  }

  #schedule(slot: Slot, generation: number, base: number, k: number): void {
    if (this.#stop.signal.aborted || slot.generation !== generation) return;
    const jitter = jitterOf(slot.probe);
    const due = base + k * slot.probe.interval + this.#random() * jitter;
    slot.timer = setTimeout(
      () => {
        this.#schedule(slot, generation, base, k + 1);
        this.#fire(slot);
      },
      Math.max(0, due - this.#now()),
    );
    slot.timer.unref?.();
  }

  #fire(slot: Slot): void {
    if (slot.running) {
      this.#options.onSkip?.(slot.probe);
      return;
    }
    slot.running = true;
    const done = this.#run(slot).finally(() => {
      slot.running = false;
      this.#inFlight.delete(done);
    });
    this.#inFlight.add(done);
  }

  async #run(slot: Slot): Promise<void> {
    const release = await this.#semaphore.acquire();
    try {
      if (this.#stop.signal.aborted) return;
      const { probe } = slot;
      const startedAt = (this.#options.wallNow ?? Date.now)();
      // The timeout starts when the check does, not while it waits for a free slot.
      // A plain controller and timer rather than AbortSignal.any, whose listeners on a long-lived
      // signal pile up in some Node 20 releases: this process runs for weeks.
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new DOMException(`timed out after ${probe.timeout} ms`, "TimeoutError")),
        probe.timeout,
      );
      this.#running.add(controller);
      const check = this.#options.check ?? checkProbe;
      const outcome = await Promise.resolve()
        .then(() => check(probe, controller.signal, this.#options.context))
        .finally(() => {
          clearTimeout(timer);
          this.#running.delete(controller);
        })
        .catch(
          (error: unknown): CheckOutcome => ({
            ok: false,
            message: `check crashed: ${(error as Error).message}`,
            phases: { dns: 0, connect: 0, tls: 0, firstByte: 0, transfer: 0, total: 0 },
          }),
        );
      // A check cut short because the process is stopping says nothing about the target.
      if (this.#stop.signal.aborted) return;
      slot.health = nextHealth(slot.health, outcome.ok, probe);
      const result: ProbeResult = {
        id: randomUUID(),
        probe: probe.name,
        kind: probe.kind,
        region: probe.region ?? this.#options.region,
        target: targetOf(probe).slice(0, 2000),
        startedAt,
        state: slot.health.state,
        ...outcome,
        ...(outcome.message === undefined ? {} : { message: outcome.message.slice(0, 2000) }),
      };
      slot.last = result;
      this.#options.onResult(result);
    } finally {
      release();
    }
  }
}
