// A stand-in for one worker of a split `peakwatch run` in hub tests: waits for --start-at, sends
// one window a second under its worker name for `seconds` (from the test's plan file in
// the temp directory, with a window to copy), reports the run, and prints what it sent, as the
// real generator's summary does. Plain JavaScript, so it starts fast on a loaded machine.
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: Object.fromEntries(
    ["target", "run-id", "rate-scale", "duration-scale", "workers", "worker-index", "start-at"].map(
      (name) => [name, { type: "string" }],
    ),
  ),
  strict: false,
});
const [, profile] = positionals;
// The test writes the plan beside its hub, named by the hub's port (the hub passes workers only its URL).
const hubPort = new URL(process.env.PEAKWATCH_HUB_URL).port;
const plan = JSON.parse(readFileSync(join(tmpdir(), `pw-split-plan-${hubPort}.json`), "utf8"));
const runId = values["run-id"];
const worker = `w${values["worker-index"] ?? 0}`;
const headers = {
  authorization: `Bearer ${process.env.PEAKWATCH_AGENT_TOKEN}`,
  "content-type": "application/json",
};
const post = (path, body) =>
  fetch(`${process.env.PEAKWATCH_HUB_URL}/api/v1${path}`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
const startAt = values["start-at"] ? Date.parse(values["start-at"]) : Date.now();
const report = (status) =>
  post("/ingest/runs", {
    runId,
    profile,
    target: values.target,
    status,
    startedAt: startAt,
    workers: Number(values.workers ?? 1),
  });

process.once("SIGTERM", async () => {
  await report("aborted");
  process.exit(1);
});
await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
await report("running");
const first = Math.floor(startAt / 1000);
let sent = 0;
for (let s = 0; s < plan.seconds; s++) {
  await new Promise((r) => setTimeout(r, Math.max(0, (first + s + 1) * 1000 - Date.now())));
  const res = await post("/ingest/windows", {
    windows: [{ ...plan.window, runId, worker, second: first + s }],
  });
  if (res.status === 200) sent++;
  else console.log(`window ${first + s}: hub answered ${res.status}`);
}
await report("passed");
console.log(`${worker} sent ${sent} windows`);
