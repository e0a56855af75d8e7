import type { SerializedError } from "vitest";
import type { Reporter, TestModule } from "vitest/node";

/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, and which databases the
 * database tests ran on, so CI logs and humans can read the outcome without parsing colours.
 * Errors outside any test (a failing beforeAll or afterAll, a file that does not import) and
 * unhandled errors fail the run too, so the line counts them: "0 failed" alone would read green.
 */
export default class SummaryReporter implements Reporter {
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
