/**
 * One process of live WebSocket clients for bench/hub.ts's fan-out figure, so the clients'
 * own work never shares an event loop with the bench that drives the hub (nor the hub).
 *
 * Usage (IPC child): live-clients.ts WS_URL TOKEN COUNT. Opens COUNT sockets subscribed to
 * `probes`, says {ready} over IPC, records for each probe message its receipt time minus the
 * result's startedAt (ms), and on "report" answers {lags}, then closes its sockets and exits.
 * Receipt is stamped first and startedAt read straight from the bytes: the clients' cost per
 * message stays a few µs, so the lag measured is the hub's.
 */
import { WebSocket } from "ws";

const [url, token, countArg] = process.argv.slice(2);
const count = Number(countArg);
const lags: number[] = [];
const sockets: WebSocket[] = [];
const STARTED_AT = Buffer.from('"startedAt":');

/** The number after `"startedAt":` in a message, without parsing the JSON. */
function startedAtOf(data: Buffer): number {
  const at = data.indexOf(STARTED_AT);
  if (at < 0) return Number.NaN;
  let n = 0;
  for (let i = at + STARTED_AT.length; i < data.length; i++) {
    const digit = data[i]! - 48;
    if (digit < 0 || digit > 9) break;
    n = n * 10 + digit;
  }
  return n;
}

function onMessage(data: Buffer): void {
  const at = performance.timeOrigin + performance.now();
  const startedAt = startedAtOf(data);
  if (!Number.isNaN(startedAt)) lags.push(at - startedAt);
}

async function open(): Promise<void> {
  const ws = new WebSocket(url!, { headers: { authorization: `Bearer ${token}` } });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const subscribed = new Promise((resolve) => ws.once("message", resolve));
  ws.send(JSON.stringify({ type: "subscribe", topics: ["probes"] }));
  await subscribed;
  ws.on("message", onMessage);
  sockets.push(ws);
}

for (let i = 0; i < count; i += 100)
  await Promise.all(Array.from({ length: Math.min(100, count - i) }, open));
process.send!({ ready: sockets.length });
process.on("message", (message) => {
  if (message !== "report") return;
  process.send!({ lags }, () => {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  });
});
