import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Files known to run longest (tens of seconds to two minutes), longest first. Vitest orders by
 * durations it cached on earlier runs; a clean clone (CI) has none, so without this a two-minute
 * file may start last on one worker while the other sits idle.
 */
const LONGEST_FIRST = [
  "test/readme.test.ts",
  "test/backup/backup-restore.test.ts",
  "test/browser/projects.test.ts",
  "test/loadgen/cli.test.ts",
  "test/hub/users-command.test.ts",
  "test/hub/projects.test.ts",
  "test/alerting/notify.test.ts",
  "test/loadgen/holiday-spike.test.ts",
  "test/alerting/run-verdict.test.ts",
];

/** Vitest's order (projects in group order, cached durations), with LONGEST_FIRST ahead within each project. */
export default class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((path) => f.moduleId.endsWith(`/${path}`));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    const position = new Map(sorted.map((f, i) => [f, i]));
    return [...sorted].sort((a, b) => {
      const group = a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder;
      if (group !== 0) return group;
      if (a.project.name !== b.project.name) return position.get(a)! - position.get(b)!;
      return rank(a) - rank(b) || position.get(a)! - position.get(b)!;
    });
  }
}
