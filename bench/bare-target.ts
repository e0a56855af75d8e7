import { type ChildProcess, spawn } from "node:child_process";

const TARGET_SOURCE = `
const http = require("node:http");
const server = http.createServer((req, res) => { req.resume(); res.end("ok"); });
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
`;

/**
 * A bare node:http server answering "ok" on 127.0.0.1:0, in its own process so its CPU is not
 * counted as the generator's. Kill `child` when done.
 */
export async function startBareTarget(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["-e", TARGET_SOURCE], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve) =>
    child.stdout!.once("data", (d) => resolve(String(d).trim())),
  );
  return { url: `http://127.0.0.1:${port}`, child };
}
