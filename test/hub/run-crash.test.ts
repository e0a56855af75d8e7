import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestHub, type TestHub, type TestSession } from "../helpers/hub.ts";

let t: TestHub;
let ops: TestSession;
beforeAll(async () => {
  t = await startTestHub({ env: { HUB_RUN_COMMAND: ["node", "test/hub/crashing-loadgen.mjs"].join(",") } });
  ops = await t.loginAs("ops");
});
afterAll(async () => {
  await t?.close();
});

it("a hub-started run whose lone generator crashes (exit 4) ends as error with the cause, not degraded", async () => {
  const headers = { ...ops.headers, "content-type": "application/json" };
  const res = await fetch(`${t.url}/api/v1/runs`, {
    method: "POST",
    headers,
    body: JSON.stringify({ profile: "smoke", target: "http://127.0.0.1:4100", workers: 1 }),
  });
  expect(res.status).toBe(201);
  const { runId } = ((await res.json()) as { run: { runId: string } }).run;
  let run: { status: string; verdict: string | null } = { status: "starting", verdict: null };
  const deadline = Date.now() + 20_000;
  while (["starting", "running"].includes(run.status) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const detail = await fetch(`${t.url}/api/v1/runs/${runId}`, { headers: ops.headers });
    run = ((await detail.json()) as { run: typeof run }).run;
  }
  expect(run.status, run.verdict ?? "").toBe("error");
  expect(run.verdict).toMatch(
    /^error: worker w0 .*exit code 4; last output: generator crashed: boom at start-up/,
  );
});
