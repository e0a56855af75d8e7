import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { ShopError } from "../http/errors.ts";
import { ArrivalMeter } from "./arrival-meter.ts";
import type { Switchboard } from "./switchboard.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const appliesTo = (routes: ReadonlyArray<string>, route: string) =>
  routes.length === 0 || routes.includes(route);

/** Busy work on the event loop for `ms`, as a CPU-heavy handler would do. */
function burn(ms: number): void {
  const until = performance.now() + ms;
  let x = 0;
  while (performance.now() < until) for (let i = 0; i < 1000; i++) x = (x * 31 + i) | 0;
  if (x === 42) console.log("");
}

/**
 * Memory retained per request while the memory_leak switch is on, released when it turns off.
 * Buffers are filled so the pages are really committed (RSS grows, not just a reservation).
 */
export class Leak {
  private readonly retained: Buffer[] = [];
  bytes = 0;

  grow(bytes: number): void {
    if (bytes <= 0) return;
    this.retained.push(Buffer.alloc(bytes, 1));
    this.bytes += bytes;
  }

  release(): void {
    this.retained.length = 0;
    this.bytes = 0;
  }
}

/**
 * Applies the request-level switches to the shop's API routes: latency, slow database,
 * CPU burn, memory leak and injected errors. Payment, product and readiness switches act
 * where those things happen.
 */
export function faultEffects(
  board: Switchboard,
  leak: Leak,
  random: () => number = Math.random,
  meter: ArrivalMeter = new ArrivalMeter(),
): MiddlewareHandler {
  board.onOff((name) => name === "latency" && meter.reset());
  return async (c, next) => {
    const route = routePath(c, -1);
    const latency = board.get("latency");
    if (latency && appliesTo(latency.routes, route)) {
      const above = latency.aboveRatePerSecond;
      const saturated = above === undefined || meter.record(route, latency.rateWindowSeconds ?? 3) > above;
      if (saturated && random() < latency.probability)
        await sleep(latency.fixedMs + random() * latency.jitterMs);
    }
    const slowDb = board.get("slow_db");
    if (slowDb) await sleep(slowDb.delayMs);
    const cpu = board.get("cpu_burn");
    if (cpu) burn(cpu.msPerRequest);
    const memory = board.get("memory_leak");
    if (memory) leak.grow(memory.bytesPerRequest);
    const errors = board.get("errors");
    if (errors && appliesTo(errors.routes, route) && random() < errors.rate) {
      throw new ShopError(
        errors.status,
        "injected_fault",
        `fault switch "errors" failed this request (${route})`,
      );
    }
    await next();
  };
}
