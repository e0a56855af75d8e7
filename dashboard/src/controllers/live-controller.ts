import type { ReactiveController, ReactiveControllerHost } from "lit";
import { type LiveConnection, type LiveStatus, liveConnection } from "../live/live-connection.ts";
import type { LiveMessage, LiveTopic } from "../live/messages.ts";

export interface LiveControllerOptions {
  /** The topics to follow; re-evaluated on each host update so a new run id resubscribes. */
  topics: () => ReadonlyArray<LiveTopic>;
  onMessage: (message: LiveMessage) => void;
  /** Called after the socket reopens, to refetch state the socket does not replay. */
  onReconnect?: () => void;
  connection?: LiveConnection;
}

/**
 * Ties an element to the shared live socket: subscribes while the element is connected,
 * unsubscribes when it leaves, and re-renders the host when the connection status changes.
 */
export class LiveController implements ReactiveController {
  status: LiveStatus = "closed";
  private readonly connection: LiveConnection;
  private cleanups: Array<() => void> = [];
  private unsubscribe: (() => void) | undefined;
  private key = "";
  private generation = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: LiveControllerOptions,
  ) {
    this.connection = options.connection ?? liveConnection();
    host.addController(this);
  }

  hostConnected(): void {
    this.status = this.connection.status;
    this.generation = this.connection.generation;
    this.cleanups.push(
      this.connection.onMessage((message) => this.options.onMessage(message)),
      this.connection.onStatus((status) => {
        this.status = status;
        if (status === "open" && this.connection.generation !== this.generation) {
          const reconnected = this.generation > 0;
          this.generation = this.connection.generation;
          if (reconnected) this.options.onReconnect?.();
        }
        this.host.requestUpdate();
      }),
    );
    this.resubscribe();
    this.connection.start();
  }

  hostUpdate(): void {
    this.resubscribe();
  }

  hostDisconnected(): void {
    for (const cleanup of this.cleanups) cleanup();
    this.cleanups = [];
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.key = "";
  }

  private resubscribe(): void {
    const topics = this.options.topics();
    const key = topics.join("\n");
    if (key === this.key) return;
    this.unsubscribe?.();
    this.key = key;
    this.unsubscribe = topics.length > 0 ? this.connection.subscribe(topics) : undefined;
  }
}
