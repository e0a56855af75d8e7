import { connect } from "node:net";

/** What a server answered on a raw socket, and whether it closed the connection. */
export interface RawExchange {
  /** The status code of the first response, 0 when none came. */
  status: number;
  /** Everything the server sent, head and body, as text. */
  text: string;
  /** The server ended the connection before `timeoutMs` passed. */
  closed: boolean;
}

/**
 * Sends `head` (request line and headers, no blank line) and then `body` on a raw socket to
 * `url`'s host and port, never anything more, and collects what comes back until the server
 * closes the connection or `timeoutMs` passes. For what fetch cannot send: a GET with a body, a
 * Content-Length larger than what follows.
 */
export function rawExchange(url: string, head: string, body: string, timeoutMs = 5000): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString("latin1");
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text, closed });
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("end", () => done(true));
    // A reset after the answer is the server closing early too.
    socket.on("error", (error) => {
      if (chunks.length > 0) return done(true);
      clearTimeout(timer);
      reject(error);
    });
    socket.write(`${head.replaceAll("\n", "\r\n")}\r\n\r\n${body}`);
  });
}
