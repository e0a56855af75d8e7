import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

const colours = { hub: 36, shop: 35, probes: 33, up: 32 } as const;
export type LogSource = keyof typeof colours;

/** Writes lines prefixed with their source, coloured when the output is a terminal. */
export class PrefixedLog {
  private readonly width = Math.max(...Object.keys(colours).map((k) => k.length));
  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
    private readonly colour = Boolean(out.isTTY) && !process.env.NO_COLOR,
  ) {}

  line(source: LogSource, text: string): void {
    const label = source.padEnd(this.width);
    const prefix = this.colour ? `\x1b[${colours[source]}m${label} |\x1b[0m` : `${label} |`;
    this.out.write(`${prefix} ${text}\n`);
  }

  /** Forwards every line of a child's stream with its prefix. */
  pipe(source: LogSource, stream: Readable): void {
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (text) =>
      this.line(source, text),
    );
  }
}
