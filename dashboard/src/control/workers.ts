/**
 * Local generator processes the hub starts for one run at most (its POST /runs refuses more with
 * a 400 naming body.workers; more belong on Kubernetes).
 */
export const MAX_LOCAL_WORKERS = 64;

export type WorkersChoice = { ok: true; workers: number | "auto" } | { ok: false; error: string };

/**
 * Reads the Control form's Workers field: a whole number from 1 to MAX_LOCAL_WORKERS, or "auto"
 * (the hub resolves it to its machine's cores − 1); empty means 1. Pure. The error names the
 * field and says what it takes.
 */
export function parseWorkers(text: string): WorkersChoice {
  const value = text.trim();
  if (value === "") return { ok: true, workers: 1 };
  if (value === "auto") return { ok: true, workers: "auto" };
  const workers = Number(value);
  if (!/^\d+$/.test(value) || workers < 1 || workers > MAX_LOCAL_WORKERS)
    return {
      ok: false,
      error: `Workers: a whole number from 1 to ${MAX_LOCAL_WORKERS} (processes on the hub's machine) or "auto", not "${value}"`,
    };
  return { ok: true, workers };
}
