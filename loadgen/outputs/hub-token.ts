import { request } from "undici";

/**
 * Asks the hub whether it takes `token` (GET /api/v1/ingest/token) before any load is sent.
 * Returns why not when the hub refused it (401/403), undefined when it took it or could not be
 * asked: an unreachable hub is an outage the run rides out by spooling, not a wrong setting.
 */
export async function agentTokenRefusal(
  hub: { url: string; token: string },
  timeoutMs = 5000,
): Promise<string | undefined> {
  try {
    const r = await request(new URL("/api/v1/ingest/token", hub.url), {
      headers: { authorization: `Bearer ${hub.token}` },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await r.body.text();
    if (r.statusCode !== 401 && r.statusCode !== 403) return undefined;
    let message = "";
    try {
      message = String((JSON.parse(text) as { message?: unknown }).message ?? "");
    } catch {}
    return `the hub at ${hub.url} refused the agent token (${r.statusCode}${message ? `: ${message}` : ""}); check --token or PEAKWATCH_AGENT_TOKEN, or create a token in the dashboard (Admin → Agent tokens)`;
  } catch {
    return undefined;
  }
}
