import { connect, createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { socketFd, WriteThreads } from "./write-threads.ts";

const servers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** `n` loopback connections: the server's ends (to write to) and what each client end received. */
async function pairs(n: number): Promise<{ ends: Socket[]; received: Buffer[][]; clients: Socket[] }> {
  const ends: Socket[] = [];
  const server = createServer((socket) => ends.push(socket));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  const port = (server.address() as { port: number }).port;
  const received: Buffer[][] = [];
  const clients: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const chunks: Buffer[] = [];
    received.push(chunks);
    const client = connect(port, "127.0.0.1");
    client.on("data", (d) => chunks.push(d));
    clients.push(client);
  }
  while (ends.length < n) await new Promise((r) => setTimeout(r, 5));
  servers.push({
    close: () => {
      for (const c of clients) c.destroy();
    },
  });
  return { ends, received, clients };
}

describe("WriteThreads", () => {
  it("every socket gets each of 50 frames once and in order, shared between the main and a helper thread", async () => {
    const { ends, received } = await pairs(600);
    const threads = new WriteThreads(1);
    const fds = ends.map((s) => socketFd(s)!);
    expect(fds.every((fd) => fd >= 0)).toBe(true);
    // Back to back, so a helper still waking for one message meets the next one.
    const texts = Array.from({ length: 50 }, (_, i) => `<${i}>`);
    for (const text of texts) threads.writeAll(ends, fds, Buffer.from(text));
    await threads.close();
    const want = texts.join("");
    const deadline = Date.now() + 10_000;
    while (received.some((c) => Buffer.concat(c).length < want.length) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(received.map((c) => Buffer.concat(c).toString()).filter((s) => s !== want)).toEqual([]);
    expect(received).toHaveLength(600);
    for (const end of ends) end.destroy();
  });

  it("a socket whose peer is gone in the helper thread's share gets the frame through its stream, which reports the error", async () => {
    const { ends, clients } = await pairs(600);
    const threads = new WriteThreads(1);
    clients.find((c) => c.localPort === ends[0]!.remotePort)!.destroy();
    const errored = new Promise((r) => ends[0]!.once("error", r).once("close", r));
    await new Promise((r) => setTimeout(r, 50));
    // The first write to a peer that reset may still be taken by the kernel; the next one fails.
    for (let i = 0; i < 3; i++)
      threads.writeAll(
        ends,
        ends.map((s) => socketFd(s) ?? -1),
        Buffer.from("x"),
      );
    await errored;
    await threads.close();
    for (const end of ends) end.destroy();
  });
});
