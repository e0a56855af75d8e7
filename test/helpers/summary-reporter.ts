import type { SerializedError } from "vitest";
import type { Reporter, TestModule } from "vitest/node";

/** How many of the longest files the closing lines name. */
const SLOWEST = 12;

/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, and which databases the
 * database tests ran on, so CI logs and humans can read the outcome without parsing colours.
 * Errors outside any test (a failing beforeAll or afterAll, a file that does not import) and
 * unhandled errors fail the run too, so the line counts them: "0 failed" alone would read green.
 *
 * Before it, each project's wall time and the files that took longest, hooks included (the
 * verbose list gives tests alone, and overlapping ones add up past the wall): where to look when
 * CI's 30 minutes get tight.
 */
export default class SummaryReporter implements Reporter {
  readonly #started = new Map<TestModule, number>();
  readonly #took = new Map<TestModule, number>();

  onTestModuleStart(module: TestModule): void {
    this.#started.set(module, performance.now());
  }

  onTestModuleEnd(module: TestModule): void {
    const started = this.#started.get(module);
    if (started !== undefined) this.#took.set(module, performance.now() - started);
  }

  #printDurations(): void {
    const spans = new Map<string, { from: number; to: number; files: number }>();
    for (const [module, started] of this.#started) {
      const name = module.project.name;
      const to = started + (this.#took.get(module) ?? 0);
      const span = spans.get(name) ?? { from: started, to, files: 0 };
      spans.set(name, {
        from: Math.min(span.from, started),
        to: Math.max(span.to, to),
        files: span.files + 1,
      });
    }
    if (spans.size === 0) return;
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(
      `wall time by project: ${[...spans].map(([name, s]) => `${name} ${seconds(s.to - s.from)} (${s.files} files)`).join(", ")}`,
    );
    const slowest = [...this.#took].sort((a, b) => b[1] - a[1]).slice(0, SLOWEST);
    console.log(
      `longest files: ${slowest.map(([m, ms]) => `${m.relativeModuleId} ${seconds(ms)}`).join(", ")}`,
    );
  }

  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
  ): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const databases = new Set<string>();
    let outside = 0;
    for (const module of testModules) {
      outside += module.errors().length;
      for (const suite of module.children.allSuites()) outside += suite.errors().length;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") counts.passed += 1;
        else if (state === "failed") counts.failed += 1;
        else counts.skipped += 1;
        const kind = test.fullName.match(/\[(pglite|postgres)\]/)?.[1];
        if (kind && state === "passed") databases.add(kind);
      }
    }
    this.#printDurations();
    if (databases.size > 0) console.log(`database tests ran on: ${[...databases].sort().join(", ")}`);
    const errors = [
      outside > 0 ? `, ${outside} errors outside tests (hooks, imports)` : "",
      unhandledErrors.length > 0 ? `, ${unhandledErrors.length} unhandled errors` : "",
    ].join("");
    console.log(
      `tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${errors}`,
    );
  }
}
