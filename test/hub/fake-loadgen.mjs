// A stand-in for `peakwatch run` in hub tests: reports the run as running, then on SIGTERM
// reports it aborted and exits 130 — what the real generator does, minus the load.
// `--abort-worker I/N` (put in HUB_RUN_COMMAND) makes worker I of a run split over N act as one an
// abort threshold stopped: it reports the run failed with `stoppedBy` and exits 1.
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: Object.fromEntries(
    [
      "target",
      "hub",
      "token",
      "run-id",
      "rate-scale",
      "duration-scale",
      "workers",
      "worker-index",
      "start-at",
      "abort-worker",
    ].map((name) => [name, { type: "string" }]),
  ),
  strict: false,
});
const [, profile] = positionals;
// The hub passes its URL and the run's token in the environment (argv is visible in `ps`).
const hub = values.hub ?? process.env.PEAKWATCH_HUB_URL;
const token = values.token ?? process.env.PEAKWATCH_AGENT_TOKEN;
const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
const startedAt = Date.now();
const workers = Number(values.workers ?? 1);
const report = (status, extra = {}) =>
  fetch(`${hub}/api/v1/ingest/runs`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      runId: values["run-id"],
      profile,
      target: values.target,
      status,
      startedAt,
      workers,
      ...extra,
    }),
  });

const res = await report("running");
if (res.status !== 200) {
  console.error(`hub refused the run report: ${res.status}`);
  process.exit(3);
}
console.log(`fake run ${values["run-id"]} rate-scale=${values["rate-scale"] ?? 1}`);
process.once("SIGTERM", async () => {
  await report("aborted", { endedAt: Date.now() });
  process.exit(130);
});
const worker = `w${values["worker-index"] ?? 0}`;
if (values["abort-worker"] === `${values["worker-index"]}/${workers}`) {
  await new Promise((r) => setTimeout(r, 300));
  const stoppedBy = { expression: "error_rate < 20%", value: "31.2 %", worker };
  const ended = await report("failed", { endedAt: Date.now(), stoppedBy });
  process.exit(ended.status === 200 ? 1 : 3);
}
setTimeout(() => process.exit(0), 60_000);
