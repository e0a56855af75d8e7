import {
  type FaultName,
  type FaultParams,
  type FaultState,
  type FaultsResponse,
  faultNames,
  MAX_FAULT_SECONDS,
} from "../../core/faults.ts";

/** A switch's parameters; switches without any (zod infers `Record<string, never>`) take none. */
type ParamsOf<K extends FaultName> = string extends keyof FaultParams[K] ? unknown : FaultParams[K];

interface Active<K extends FaultName> {
  params: FaultParams[K];
  expiresAt: number | null;
}

/**
 * The state of the shop's fault switches. A switch with an expiry turns itself off when the
 * (injected) clock passes it: every read checks, so an expired switch never acts.
 */
export class Switchboard {
  private readonly active = new Map<FaultName, Active<FaultName>>();
  private readonly listeners = new Set<(name: FaultName) => void>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Turns a switch on (with its parameters and optional lifetime, relative or absolute) or off.
   * The caller checks an absolute `expiresAt` against `now` first (see expiryProblem).
   */
  set<K extends FaultName>(
    name: K,
    update: {
      enabled: boolean;
      expiresInSeconds?: number | undefined;
      expiresAt?: Date | undefined;
    } & ParamsOf<K>,
  ): void {
    const { enabled, expiresInSeconds, expiresAt: at, ...params } = update;
    if (!enabled) {
      this.off(name);
      return;
    }
    const expiresAt =
      at !== undefined
        ? at.getTime()
        : expiresInSeconds === undefined
          ? null
          : this.now() + expiresInSeconds * 1000;
    this.active.set(name, { params: params as unknown as FaultParams[K], expiresAt });
  }

  /** Why an absolute expiry cannot be set now (already past, or further than a switch may last), or undefined. */
  expiryProblem(at: Date): string | undefined {
    const now = this.now();
    if (at.getTime() <= now)
      return `${at.toISOString()} has passed (the shop's clock reads ${new Date(now).toISOString()}); give a later time, null for none, or expiresInSeconds`;
    if (at.getTime() > now + MAX_FAULT_SECONDS * 1000)
      return `${at.toISOString()} is more than ${MAX_FAULT_SECONDS / 86_400} days ahead, the longest a switch may stay on by itself`;
    return undefined;
  }

  off(name: FaultName): void {
    if (this.active.delete(name)) for (const listener of this.listeners) listener(name);
  }

  clearAll(): void {
    for (const name of [...this.active.keys()]) this.off(name);
  }

  /** The parameters of a switch that is on now, or undefined. */
  get<K extends FaultName>(name: K): FaultParams[K] | undefined {
    const entry = this.active.get(name);
    if (!entry) return undefined;
    if (entry.expiresAt !== null && this.now() >= entry.expiresAt) {
      this.off(name);
      return undefined;
    }
    return entry.params as FaultParams[K];
  }

  /** Called with a switch's name whenever it turns off (by API or by expiry). */
  onOff(listener: (name: FaultName) => void): void {
    this.listeners.add(listener);
  }

  /** Turns off every expired switch now (called on a timer so effects end without traffic). */
  sweep(): void {
    for (const name of faultNames) this.get(name);
  }

  state(name: FaultName): FaultState {
    const params = this.get(name);
    const expiresAt = this.active.get(name)?.expiresAt ?? null;
    return {
      enabled: params !== undefined,
      expiresAt: params !== undefined && expiresAt !== null ? new Date(expiresAt).toISOString() : null,
      params: (params ?? {}) as Record<string, unknown>,
    };
  }

  snapshot(): FaultsResponse {
    return {
      faults: Object.fromEntries(
        faultNames.map((name) => [name, this.state(name)]),
      ) as FaultsResponse["faults"],
    };
  }
}
