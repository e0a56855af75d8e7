import type { LiveClient } from "./client.ts";
import { rawSocket, type TickWriter } from "./frames.ts";

/**
 * Sends waiting their turn: `deliver` for each of `clients`. A broadcast holds the snapshot of its
 * subscribers when it was made; a direct reply or replayed alert holds one client.
 */
export interface SendJob {
  readonly clients: ReadonlyArray<LiveClient>;
  /** Writes the job's message(s) to one client, or skips it (left the topic, closed). */
  readonly deliver: (client: LiveClient) => void;
  /**
   * Most bytes one delivery writes; a client's batch takes in later jobs only while their bytes
   * fit (see SendQueueOptions.batchBytes). Infinity (a flush, the end of a replay): never batched
   * behind another job.
   */
  readonly bytes: number;
  /** A broadcast's making (performance.now()), for onBroadcastSent. */
  readonly madeAt?: number;
}

interface QueuedJob extends SendJob {
  next: number;
  /** Its place in the order jobs were queued (increasing; see LiveClient.sentThrough). */
  readonly seq: number;
  /** `clients` as a set, built the first time an earlier job's drain looks ahead into this one. */
  members?: Set<LiveClient>;
  /** When a client was last written this job's message (performance.now()). */
  lastWriteAt?: number;
}

export interface SendQueueOptions {
  writer: TickWriter;
  /** Most time one event-loop turn spends on live sends, ms. */
  sliceMs: number;
  /** Most sends (client × job) queued; past it the whole queue is sent at once. */
  maxQueuedSends: number;
  /**
   * Most bytes of later jobs' messages corked into one client's batch (with its head job's). Kept
   * well under the hub's coalescing threshold: corked bytes count in ws.bufferedAmount, and a fast
   * client must never look slow because of our own batching.
   */
  batchBytes: number;
  onQueueFull: () => void;
  /** A broadcast's time from its making to its last subscriber's write, seconds. */
  onBroadcastSent: (seconds: number) => void;
}

/**
 * How many queued jobs a client's send looks ahead into: when broadcasts queue up (they come
 * faster than 10,000 sockets are written), a client's turn in the oldest one also sends it what
 * the next ones hold for it, in order, in one corked write, so a backlog costs one syscall per
 * client instead of one per message, and shrinks instead of growing.
 */
export const LOOKAHEAD_JOBS = 64;

/**
 * Every live send not yet made, in the order produced (one FIFO for all clients, so each client
 * gets its messages in that order), drained `sliceMs` per event-loop turn. Never blocks the
 * caller beyond one slice, except past maxQueuedSends (see MAX_QUEUED_SENDS in live-hub.ts).
 */
export class SendQueue {
  #queue: Array<QueuedJob | undefined> = [];
  #head = 0;
  /** Sends (client × job) left in the queue. */
  #queuedSends = 0;
  #jobSeq = 0;
  /** Scratch for #deliverWithLater: the later jobs a client's batch takes in. */
  readonly #ahead: QueuedJob[] = [];
  #drainScheduled = false;
  #draining = false;

  constructor(private readonly options: SendQueueOptions) {}

  /** Sends (one job to one client) not yet made. */
  get queuedSends(): number {
    return this.#queuedSends;
  }

  /** Nothing queued and no drain running: a send made now keeps its place in the order. */
  get idle(): boolean {
    return this.#queuedSends === 0 && !this.#draining;
  }

  /**
   * Appends a job and starts sending: in this turn when the queue was empty (a small broadcast
   * goes out at once), else on the turns already scheduled. Past maxQueuedSends the whole queue
   * is sent now, unsliced.
   */
  enqueue(job: SendJob): void {
    const count = job.clients.length;
    if (count === 0) return;
    if (this.#queuedSends > 0 && this.#queuedSends + count > this.options.maxQueuedSends) {
      this.options.onQueueFull();
      this.#drain(Number.POSITIVE_INFINITY);
    }
    const wasEmpty = this.#queuedSends === 0;
    this.#queue.push({ ...job, next: 0, seq: ++this.#jobSeq });
    this.#queuedSends += count;
    if (wasEmpty && !this.#draining) this.#drain(this.options.sliceMs);
  }

  /** Drops every queued send (the hub is closing). */
  clear(): void {
    this.#queue = [];
    this.#head = 0;
    this.#queuedSends = 0;
  }

  /**
   * Sends queued jobs in order until the queue is empty or this turn has spent `budgetMs` on live
   * sends (at least one send per call, so the queue always moves), then continues next turn.
   */
  #drain(budgetMs: number): void {
    if (this.#draining) return;
    this.#draining = true;
    const { writer } = this.options;
    const started = performance.now();
    const deadline = started + budgetMs - writer.turnMs;
    try {
      while (this.#head < this.#queue.length) {
        const job = this.#queue[this.#head]!;
        let now = 0;
        while (job.next < job.clients.length) {
          const client = job.clients[job.next++]!;
          // Already sent with an earlier job's turn (#deliverWithLater), and counted then.
          if (client.sentThrough >= job.seq) continue;
          this.#deliverWithLater(job, client);
          now = performance.now();
          job.lastWriteAt = now;
          if (now >= deadline) break;
        }
        if (job.next >= job.clients.length) this.#done(this.#head++);
        if (now >= deadline || performance.now() >= deadline) break;
      }
    } finally {
      this.#draining = false;
      if (this.#head >= this.#queue.length || this.#queuedSends === 0) {
        // What is left (if anything) was all sent ahead, by now.
        for (let i = this.#head; i < this.#queue.length; i++) this.#done(i);
        this.#queue = [];
        this.#head = 0;
      } else if (this.#head > 1024) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      writer.spent(performance.now() - started);
      if (this.#queuedSends > 0 && !this.#drainScheduled) {
        this.#drainScheduled = true;
        setImmediate(this.#nextSlice);
      }
    }
  }

  readonly #nextSlice = (): void => {
    this.#drainScheduled = false;
    this.#drain(this.options.sliceMs);
  };

  /**
   * Sends the head job's message to `client`, and with it what the next LOOKAHEAD_JOBS queued jobs
   * hold for it, in queue order, corked into one write, while their bytes fit batchBytes; marks
   * the client sent through the last job looked at, so those jobs skip it when their turn comes.
   */
  #deliverWithLater(job: QueuedJob, client: LiveClient): void {
    this.#queuedSends--;
    const end = Math.min(this.#queue.length, this.#head + 1 + LOOKAHEAD_JOBS);
    const ahead = this.#ahead;
    let bytes = job.bytes;
    let through = job.seq;
    for (let i = this.#head + 1; i < end; i++) {
      const later = this.#queue[i]!;
      if (later.clients.length > 1) later.members ??= new Set(later.clients);
      if (later.members ? later.members.has(client) : later.clients[0] === client) {
        // A job that does not fit ends the batch: skipping it would reorder the client's messages.
        if (bytes + later.bytes > this.options.batchBytes) break;
        bytes += later.bytes;
        ahead.push(later);
      }
      through = later.seq;
    }
    client.sentThrough = through;
    if (ahead.length === 0) {
      job.deliver(client);
      return;
    }
    const socket = rawSocket(client.ws);
    if (socket) this.options.writer.release(socket);
    socket?.cork();
    try {
      job.deliver(client);
      for (const later of ahead) {
        this.#queuedSends--;
        later.deliver(client);
      }
    } finally {
      socket?.uncork();
      const now = performance.now();
      for (const later of ahead) later.lastWriteAt = now;
      ahead.length = 0;
    }
  }

  /** The job at `index` has been written to (or skipped) for every client: report and release it. */
  #done(index: number): void {
    const job = this.#queue[index]!;
    this.#queue[index] = undefined;
    job.members = undefined;
    if (job.madeAt !== undefined)
      this.options.onBroadcastSent(((job.lastWriteAt ?? performance.now()) - job.madeAt) / 1000);
  }
}
