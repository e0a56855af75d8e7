/** Aim for at most this many points per series: more than a laptop-wide chart can show. */
const TARGET_POINTS = 600;

/**
 * The `resolution` (seconds per point) to ask the hub for, so a one-hour run draws ~600 points
 * instead of 3,600 and a day-long soak stays as light. Never below one second.
 */
export function chartResolution(
  run: { startedAt: number; endedAt?: number; plannedSeconds?: number },
  now = Date.now(),
): number {
  const seconds = run.endedAt
    ? (run.endedAt - run.startedAt) / 1000
    : (run.plannedSeconds ?? (now - run.startedAt) / 1000);
  return Math.max(1, Math.ceil(seconds / TARGET_POINTS));
}
