// A stand-in for `peakwatch run` in hub tests: reports the run as running, sends one window,
// then on SIGTERM reports it aborted and exits — what the real generator does, minus the load.
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: Object.fromEntries(
    ["target", "hub", "token", "run-id", "rate-scale", "duration-scale"].map((name) => [
      name,
      { type: "string" },
    ]),
  ),
  strict: false,
});
const [, profile] = positionals;
// The hub passes its URL and the run's token in the environment (argv is visible in `ps`).
const hub = values.hub ?? process.env.PEAKWATCH_HUB_URL;
const token = values.token ?? process.env.PEAKWATCH_AGENT_TOKEN;
const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
const startedAt = Date.now();
const report = (status) =>
  fetch(`${hub}/api/v1/ingest/runs`, {
    method: "POST",
    headers,
    body: JSON.stringify({ runId: values["run-id"], profile, target: values.target, status, startedAt }),
  });

const res = await report("running");
if (res.status !== 200) {
  console.error(`hub refused the run report: ${res.status}`);
  process.exit(3);
}
console.log(`fake run ${values["run-id"]} rate-scale=${values["rate-scale"] ?? 1}`);
process.once("SIGTERM", async () => {
  await report("aborted");
  process.exit(1);
});
setTimeout(() => process.exit(0), 60_000);
