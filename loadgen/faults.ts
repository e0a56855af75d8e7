import { request } from "undici";
import { type FaultState, FaultsResponse } from "../core/faults.ts";
import type { FaultStep } from "../core/profile.ts";
import type { FaultMarker } from "../core/run.ts";
import type { Clock } from "./clock.ts";

/**
 * Applies a profile's fault timeline through the shop's fault API and clears every fault it
 * set when the run ends, even on Ctrl-C. Each fault is also set to expire on its own a little
 * after it should be cleared, so a killed generator cannot leave the shop broken. A switch that
 * was already on when the run first set it (flipped by hand) is put back as it was, not turned
 * off, when the run clears it.
 */
export class FaultTimeline {
  readonly markers: FaultMarker[] = [];
  private readonly active = new Set<string>();
  /** Switches that were on before this run first set them, as the shop answered then. */
  private readonly before = new Map<string, FaultState>();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly faults: ReadonlyArray<FaultStep>,
    private readonly shopUrl: string,
    private readonly adminToken: string,
    private readonly clock: Clock,
    private readonly log: (message: string) => void,
  ) {}

  /** Schedules every set and clear relative to `startMs`; `runSeconds` bounds open-ended faults. */
  start(startMs: number, runSeconds: number): void {
    for (const f of this.faults) {
      const clearAt = f.duration === undefined ? undefined : f.at + f.duration;
      const expires = Math.ceil((clearAt ?? runSeconds) - f.at + 30);
      this.after(startMs + f.at * 1000, () => this.set(f, startMs, expires));
      if (clearAt !== undefined) this.after(startMs + clearAt * 1000, () => this.clear(f.fault, startMs));
    }
  }

  private after(atMs: number, action: () => Promise<void>): void {
    const timer = setTimeout(() => void action(), Math.max(0, atMs - this.clock.now()));
    this.timers.push(timer);
  }

  private async set(f: FaultStep, startMs: number, expiresInSeconds: number): Promise<void> {
    if (!this.active.has(f.fault) && !this.before.has(f.fault)) {
      const prior = await this.read(f.fault);
      if (prior?.enabled) this.before.set(f.fault, prior);
    }
    const ok = await this.call("PUT", f.fault, { enabled: true, ...f.params, expiresInSeconds });
    if (ok) this.active.add(f.fault);
    this.mark(startMs, "set", f.fault, ok ? JSON.stringify(f.params) : "failed to set");
  }

  private async clear(fault: string, startMs: number): Promise<void> {
    const prior = this.before.get(fault);
    const stillValid =
      prior && (prior.expiresAt === null || Date.parse(prior.expiresAt) > this.clock.now() + 1000);
    if (prior && stillValid) {
      // The shop takes back what its GET answered ({enabled, expiresAt, params}).
      const ok = await this.call("PUT", fault, prior);
      if (ok) this.active.delete(fault);
      this.mark(
        startMs,
        "clear",
        fault,
        ok ? `put back as it was before the run: ${JSON.stringify(prior.params)}` : "failed to put back",
      );
      return;
    }
    const ok = await this.call("DELETE", fault);
    if (ok) this.active.delete(fault);
    this.mark(startMs, "clear", fault, ok ? undefined : "failed to clear");
  }

  /** The switch's state as the shop answers it now; undefined when it cannot be read. */
  private async read(fault: string): Promise<FaultState | undefined> {
    try {
      const r = await request(new URL("/admin/faults", this.shopUrl), {
        headers: { authorization: `Bearer ${this.adminToken}` },
        headersTimeout: 5000,
        bodyTimeout: 5000,
      });
      const text = await r.body.text();
      if (r.statusCode !== 200) return undefined;
      const parsed = FaultsResponse.safeParse(JSON.parse(text));
      return parsed.success ? (parsed.data.faults as Record<string, FaultState>)[fault] : undefined;
    } catch {
      return undefined;
    }
  }

  private mark(startMs: number, action: "set" | "clear", fault: string, detail: string | undefined): void {
    const at = Math.max(0, Math.round((this.clock.now() - startMs) / 1000));
    this.markers.push(detail === undefined ? { at, action, fault } : { at, action, fault, detail });
  }

  /** Cancels what is still scheduled and clears every fault this run set. */
  async stop(startMs: number): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const fault of [...this.active]) await this.clear(fault, startMs);
  }

  private async call(method: "PUT" | "DELETE", fault: string, body?: unknown): Promise<boolean> {
    try {
      const r = await request(new URL(`/admin/faults/${fault}`, this.shopUrl), {
        method,
        headers: { authorization: `Bearer ${this.adminToken}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: 5000,
        bodyTimeout: 5000,
      });
      const text = await r.body.text();
      if (r.statusCode < 300 || (method === "DELETE" && r.statusCode === 404)) return true;
      this.log(`fault ${method} ${fault}: shop answered ${r.statusCode} ${text.slice(0, 200)}`);
      return false;
    } catch (error) {
      this.log(`fault ${method} ${fault}: ${(error as Error).message}`);
      return false;
    }
  }
}
