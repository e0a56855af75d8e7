import type { ReactiveController, ReactiveControllerHost } from "lit";

const busyCounts = new WeakMap<object, number>();

export type TaskStatus = "idle" | "pending" | "complete" | "error";

export interface ApiTaskOptions<T> {
  /** Loads the value; receives a signal aborted when a newer run starts or the host disconnects. */
  task: (signal: AbortSignal) => Promise<T>;
  /** Re-runs when any of these change (shallow compare) before a host update. */
  args?: () => ReadonlyArray<unknown>;
  /** Refreshes every N ms while the host is connected (for lists that change server-side). */
  refreshMs?: number;
}

/**
 * A fetch lifecycle owned by an element: runs when connected and when its args change, keeps the
 * last good value while reloading, aborts stale requests, and asks the host to re-render.
 */
export class ApiTask<T> implements ReactiveController {
  status: TaskStatus = "idle";
  value: T | undefined;
  error: Error | undefined;

  private lastArgs: ReadonlyArray<unknown> | undefined;
  private abort: AbortController | undefined;
  private interval: ReturnType<typeof setInterval> | undefined;
  private runId = 0;
  private busy = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: ApiTaskOptions<T>,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.lastArgs = undefined; // force a load on (re)connect
    if (this.options.refreshMs) {
      this.interval = setInterval(() => void this.run(), this.options.refreshMs);
    }
  }

  hostDisconnected(): void {
    clearInterval(this.interval);
    this.interval = undefined;
    this.abort?.abort();
    this.setBusy(false);
  }

  hostUpdate(): void {
    const args = this.options.args?.() ?? [];
    if (this.lastArgs && sameArgs(this.lastArgs, args)) return;
    this.lastArgs = args;
    void this.run();
  }

  /** Loads now; resolves when done (never rejects: the error lands in `error`). */
  async run(): Promise<void> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const id = ++this.runId;
    this.status = "pending";
    this.setBusy(true);
    this.host.requestUpdate();
    try {
      const value = await this.options.task(abort.signal);
      if (id !== this.runId) return;
      this.value = value;
      this.error = undefined;
      this.status = "complete";
    } catch (error) {
      if (id !== this.runId || abort.signal.aborted) return;
      this.error = error instanceof Error ? error : new Error(String(error));
      this.status = "error";
    }
    this.setBusy(false);
    this.host.requestUpdate();
  }

  /**
   * Marks the host element aria-busy while any of its tasks loads, so assistive technology
   * (and tests) know when a view has settled. Counted per host across its tasks.
   */
  private setBusy(busy: boolean): void {
    if (busy === this.busy || !(this.host instanceof HTMLElement)) return;
    this.busy = busy;
    const host = this.host;
    const count = (busyCounts.get(host) ?? 0) + (busy ? 1 : -1);
    busyCounts.set(host, count);
    if (count > 0) host.setAttribute("aria-busy", "true");
    else host.removeAttribute("aria-busy");
  }
}

function sameArgs(a: ReadonlyArray<unknown>, b: ReadonlyArray<unknown>): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}
