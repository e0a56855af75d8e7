import { request } from "undici";
import { type RunVerdict, RunVerdictSchema } from "../../core/verdict.ts";

/**
 * Asks the hub for the run's verdict (thresholds plus the alerts that fired during the run), for
 * the JUnit file and the console. Null when the hub cannot say within `timeoutMs`: the report
 * then carries thresholds only, and says so.
 */
export async function fetchVerdict(
  hub: { url: string; token: string },
  runId: string,
  timeoutMs = 5000,
): Promise<RunVerdict | null> {
  try {
    const r = await request(new URL(`/api/v1/runs/${encodeURIComponent(runId)}/verdict`, hub.url), {
      headers: { authorization: `Bearer ${hub.token}` },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const body = await r.body.json();
    if (r.statusCode !== 200) return null;
    const parsed = RunVerdictSchema.safeParse(body);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
