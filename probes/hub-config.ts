import { setTimeout as sleep } from "node:timers/promises";
import type { Probe } from "../core/probe.ts";
import { parseProbeFile } from "./probe-file.ts";

export interface HubConfigOptions {
  hubUrl: string;
  token: string;
  intervalMs: number;
  /** Receives the hub's probes whenever they change (validated; never called with a bad file). */
  onProbes: (probes: Probe[]) => void;
  fetch?: typeof fetch;
  log?: (line: string) => void;
}

/** Where the hub serves the probe configuration (a ProbeFile, JSON) to agents. */
export const HUB_PROBES_CONFIG_PATH = "/api/v1/probes/config";

/**
 * Polls the hub for probe definitions (`GET /api/v1/probes/config`, agent token) and hands
 * changed, valid sets to `onProbes`. A hub without the endpoint (404) or an invalid file keeps
 * the last good set. Definitions from the hub may not read the probes process's environment
 * (`{{env.…}}`): the agent token must never be sendable to a target someone typed into the hub.
 */
export class HubConfig {
  readonly #o: HubConfigOptions & { fetch: typeof fetch; log: (line: string) => void };
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #last = "";
  #lastNote = "";

  constructor(options: HubConfigOptions) {
    this.#o = { fetch: globalThis.fetch, log: (line) => console.error(line), ...options };
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  /** Fetches once; resolves when any change has been handed over. */
  async poll(): Promise<void> {
    let text: string;
    try {
      const response = await this.#o.fetch(`${this.#o.hubUrl.replace(/\/$/, "")}${HUB_PROBES_CONFIG_PATH}`, {
        headers: { authorization: `Bearer ${this.#o.token}` },
        signal: AbortSignal.any([AbortSignal.timeout(10_000), this.#stop.signal]),
      });
      text = await response.text();
      if (response.status === 404)
        return this.#note("the hub serves no probe configuration; using local probes");
      if (!response.ok)
        return this.#note(`hub probe configuration: ${response.status} ${text.slice(0, 200)}`);
    } catch (error) {
      return this.#note(`hub probe configuration unreachable: ${(error as Error).message}`);
    }
    if (this.#lastNote.startsWith("hub probe configuration unreachable")) {
      this.#lastNote = "";
      this.#o.log("probes: hub probe configuration reachable again");
    }
    if (text === this.#last) return;
    if (text.includes("{{env."))
      return this.#note("hub probe configuration refused: it may not use {{env.…}}");
    const parsed = parseProbeFile(text, "hub probe configuration");
    if (!parsed.ok) return this.#note(parsed.error);
    this.#last = text;
    this.#lastNote = "";
    this.#o.log(`probes: ${parsed.file.probes.length} probes from the hub`);
    this.#o.onProbes(parsed.file.probes);
  }

  async #run(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      await this.poll();
      await sleep(this.#o.intervalMs, undefined, { signal: this.#stop.signal, ref: false }).catch(() => {});
    }
  }

  #note(line: string): void {
    if (line === this.#lastNote) return;
    this.#lastNote = line;
    this.#o.log(`probes: ${line}`);
  }
}

/** Local probes plus the hub's; a hub probe replaces a local one of the same name. */
export function mergeProbes(local: ReadonlyArray<Probe>, fromHub: ReadonlyArray<Probe>): Probe[] {
  const names = new Set(fromHub.map((p) => p.name));
  return [...local.filter((p) => !names.has(p.name)), ...fromHub];
}
