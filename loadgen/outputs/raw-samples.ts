import { appendFileSync, writeFileSync } from "node:fs";
import type { RequestListener } from "../window-aggregator.ts";

/**
 * Debug output (`--raw-samples FILE`): one line per request,
 * `step<TAB>latency µs<TAB>ok|failed<TAB>end (epoch ms)<TAB>service µs (empty when unknown)`, so a
 * run's merged histograms can be checked against every sample and its arrivals timed (a
 * journey's first request starts at end − latency: its arrival's instant). Lines are buffered and
 * appended in 64 KiB chunks; memory stays bounded, the file grows with requests.
 */
export class RawSamples {
  private buffer: string[] = [];
  private size = 0;

  constructor(private readonly file: string) {
    writeFileSync(file, "", { mode: 0o600 });
  }

  readonly record: RequestListener = (step, endMs, latencyMicros, serviceMicros, ok) => {
    const line = `${step}\t${latencyMicros}\t${ok ? "ok" : "failed"}\t${endMs.toFixed(3)}\t${serviceMicros ?? ""}\n`;
    this.buffer.push(line);
    this.size += line.length;
    if (this.size >= 64 * 1024) this.flush();
  };

  flush(): void {
    if (this.buffer.length === 0) return;
    appendFileSync(this.file, this.buffer.join(""));
    this.buffer = [];
    this.size = 0;
  }
}

/** One line of a raw-samples file. */
export interface RawSample {
  step: string;
  latencyMicros: number;
  ok: boolean;
  /** When it ended, epoch ms. */
  endMs: number;
  /** Service time from the actual send, µs; undefined when unknown. */
  serviceMicros: number | undefined;
}

/** Reads a file written by RawSamples. */
export function readRawSamples(text: string): RawSample[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const [step = "", micros, outcome, end, service] = line.split("\t");
      return {
        step,
        latencyMicros: Number(micros),
        ok: outcome === "ok",
        endMs: Number(end),
        serviceMicros: service ? Number(service) : undefined,
      };
    });
}
