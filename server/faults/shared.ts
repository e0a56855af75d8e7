import type { FaultChange } from "../../core/faults.ts";
import type { LiveHub } from "../live/live-hub.ts";

/** What another project's members read instead of the member who flipped a switch. */
export const ANOTHER_PROJECT = "another project";

/**
 * A change of the shared shop's switches as `viewerProjectId` may see it: every project sees
 * every change (the shop is one, so are its incidents), but who made it and with which
 * parameters only the project that made it.
 */
export function faultChangeFor(
  change: FaultChange,
  ownerProjectId: string,
  viewerProjectId: string,
): FaultChange {
  return ownerProjectId === viewerProjectId ? change : { ...change, by: ANOTHER_PROJECT, detail: null };
}

/**
 * Pushes a change made in `projectId` to every project's `runs` subscribers on this replica,
 * each project's copy as faultChangeFor shows it to that project.
 */
export function pushFaultChange(live: LiveHub, change: FaultChange, projectId: string): void {
  for (const viewer of live.projectsFollowing("runs"))
    live.broadcast("runs", { type: "fault", change: faultChangeFor(change, projectId, viewer) }, viewer);
}
