import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { collectProcessMetrics } from "../../core/metrics/default-metrics.ts";

/** The hub's own Prometheus metrics, on a registry per hub so tests can run several hubs. */
export interface HubMetrics {
  registry: Registry;
  ingestedWindows: Counter<"kind">;
  ingestBatchSeconds: Histogram<"kind">;
  liveClients: Gauge;
  liveMessages: Counter<"type">;
  liveDropped: Counter<"reason">;
  liveCoalesced: Counter;
  /** Per event-loop turn that sent live messages: time to frame them and write them to every subscriber. */
  liveSendSeconds: Histogram;
  /** Per broadcast: from its making to the write to its last subscriber (the hub's share of delivery lag). */
  liveBroadcastSeconds: Histogram;
  /** Broadcasts that found the live send queue full and sent it all in one turn. */
  liveSendQueueFull: Counter;
  queueDepth: Gauge<"queue">;
  /** Reads the alert engine's last evaluation time at scrape (set by the hub). */
  ruleEvaluationSeconds: { collect: () => number };
  scrapes: Counter<"target" | "outcome">;
}

export function createHubMetrics(options: { defaultMetrics?: boolean } = {}): HubMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectProcessMetrics(registry, "peakwatch_hub_");
  const registers = [registry];
  const ruleEvaluation = { collect: () => 0 };
  new Gauge({
    name: "peakwatch_hub_rule_evaluation_seconds",
    help: "How long the last evaluation of all alert rules took.",
    registers,
    collect() {
      this.set(ruleEvaluation.collect());
    },
  });
  const queueDepth = new Gauge({
    name: "peakwatch_hub_queue_depth",
    help: "Items waiting in the hub's internal queues.",
    labelNames: ["queue"],
    registers,
  });
  for (const queue of [
    "live_coalesced_windows",
    "live_resume_alerts",
    "live_sends",
    "running_generators",
    "ingest_windows",
  ])
    queueDepth.set({ queue }, 0);
  return {
    registry,
    ingestedWindows: new Counter({
      name: "peakwatch_hub_ingested_items_total",
      help: "Windows and probe results stored by ingest.",
      labelNames: ["kind"],
      registers,
    }),
    ingestBatchSeconds: new Histogram({
      name: "peakwatch_hub_ingest_batch_seconds",
      help: "Time to store one ingest batch.",
      labelNames: ["kind"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    liveClients: new Gauge({
      name: "peakwatch_hub_live_clients",
      help: "Connected live WebSocket clients.",
      registers,
    }),
    liveMessages: new Counter({
      name: "peakwatch_hub_live_messages_total",
      help: "Live messages sent, by type.",
      labelNames: ["type"],
      registers,
    }),
    liveDropped: new Counter({
      name: "peakwatch_hub_live_disconnects_total",
      help: "Live clients the hub cut off, by reason.",
      labelNames: ["reason"],
      registers,
    }),
    liveCoalesced: new Counter({
      name: "peakwatch_hub_live_coalesced_total",
      help: "Live window messages replaced by a newer one because the client was reading slowly.",
      registers,
    }),
    liveSendSeconds: new Histogram({
      name: "peakwatch_hub_live_send_seconds",
      help: "Time one event-loop turn spent framing live messages and writing them to subscribers' sockets (a broadcast to many clients is sent in slices of at most about 10 ms per turn).",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    liveBroadcastSeconds: new Histogram({
      name: "peakwatch_hub_live_broadcast_seconds",
      help: "Time from a live broadcast being made to its write to the last subscriber's socket (queued behind earlier broadcasts and sent in slices included; the clients' reading not).",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    liveSendQueueFull: new Counter({
      name: "peakwatch_hub_live_send_queue_full_total",
      help: "Live messages that found the send queue full (live_sends in peakwatch_hub_queue_depth), so the whole queue was sent in one event-loop turn instead of in slices.",
      registers,
    }),
    queueDepth,
    ruleEvaluationSeconds: ruleEvaluation,
    scrapes: new Counter({
      name: "peakwatch_hub_scrapes_total",
      help: "Scrapes of shop /metrics, by outcome.",
      labelNames: ["target", "outcome"],
      registers,
    }),
  };
}
