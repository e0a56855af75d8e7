import type { AlertData } from "./data.ts";

/**
 * The data each project's rules see: only that project's windows, probe results and scraped
 * metrics (samples carry their project's label value, absent for the default project). Filters
 * once per project and evaluation; when every sample is the default project's, the default
 * project gets `data` itself (its window index included). Pure.
 */
export function projectData(data: AlertData): (project: string | undefined) => AlertData {
  const byProject = new Map<string, AlertData>();
  const onlyDefault =
    data.windows.every((w) => !w.project) &&
    data.probes.every((p) => !p.project) &&
    data.metrics.every((m) => !m.labels.project);
  return (project = "") => {
    if (project === "" && onlyDefault) return data;
    let mine = byProject.get(project);
    if (!mine) {
      // The incremental window index covers every project's windows: filtered data is scanned instead.
      const { windowIndex: _all, ...rest } = data;
      mine = {
        ...rest,
        windows: data.windows.filter((w) => (w.project ?? "") === project),
        probes: data.probes.filter((p) => (p.project ?? "") === project),
        metrics: data.metrics.filter((m) => (m.labels.project ?? "") === project),
      };
      byProject.set(project, mine);
    }
    return mine;
  };
}
