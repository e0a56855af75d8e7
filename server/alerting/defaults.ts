import type { InhibitRule } from "../../core/channel.ts";
import { type RuleSpec, RuleSpecSchema } from "../../core/rule.ts";

/**
 * The rules Peakwatch ships with. Windows are short enough that a demo run (holiday-spike with
 * a 30 % payment-failure fault for a minute) fires and resolves the checkout alert.
 */
export const defaultRules: RuleSpec[] = [
  {
    kind: "threshold",
    name: "CheckoutErrorRate",
    description: "Checkout requests fail: customers cannot pay.",
    severity: "critical",
    query: { source: "windows", stat: "error_rate", step: "checkout", windowSeconds: 20, minCount: 10 },
    comparator: ">",
    threshold: 0.05,
    forSeconds: 10,
    keepFiringForSeconds: 20,
    labels: { category: "errors", team: "shop" },
    annotations: {
      summary:
        "Checkout error rate {{ $value | humanizePercentage }} (limit {{ $threshold | humanizePercentage }}) in run {{ $labels.runId }}",
    },
  },
  {
    kind: "threshold",
    name: "CheckoutLatencyHigh",
    description: "Checkout p95 latency above 800 ms.",
    severity: "warning",
    query: { source: "windows", stat: "p95", step: "checkout", windowSeconds: 30, minCount: 10 },
    comparator: ">",
    threshold: 800,
    forSeconds: 30,
    keepFiringForSeconds: 30,
    labels: { category: "latency", team: "shop" },
    annotations: { summary: "Checkout p95 {{ $value | ms }} in run {{ $labels.runId }}" },
  },
  {
    kind: "threshold",
    name: "JourneyLatencyHigh",
    // A journey's latency includes its think time (several seconds for a shopper), so only a
    // stall far beyond that is worth an alert; per-step latency rules catch the rest.
    description: "Whole-journey p99, think time included, above 30 s: visitors are stuck.",
    severity: "warning",
    query: { source: "windows", stat: "p99", step: "journey", windowSeconds: 30, minCount: 10 },
    comparator: ">",
    threshold: 30_000,
    forSeconds: 30,
    keepFiringForSeconds: 30,
    labels: { category: "latency" },
    annotations: { summary: "Journey p99 {{ $value | ms }} in run {{ $labels.runId }}" },
  },
  {
    kind: "threshold",
    name: "ArrivalRateShortfall",
    description: "The generator reaches less than 90 % of the planned arrival rate: the shop cannot keep up.",
    severity: "warning",
    query: { source: "windows", stat: "achieved_ratio", step: "journey", windowSeconds: 30, minCount: 1 },
    comparator: "<",
    threshold: 0.9,
    forSeconds: 30,
    keepFiringForSeconds: 30,
    labels: { category: "throughput" },
    annotations: {
      summary: "Achieved {{ $value | humanizePercentage }} of the target rate in run {{ $labels.runId }}",
    },
  },
  {
    kind: "threshold",
    name: "DroppedArrivals",
    description: "Visitors dropped because every connection was busy.",
    severity: "warning",
    query: { source: "windows", stat: "dropped", step: "journey", windowSeconds: 30, minCount: 0 },
    comparator: ">",
    threshold: 10,
    forSeconds: 15,
    keepFiringForSeconds: 30,
    labels: { category: "throughput" },
    annotations: { summary: "{{ $value }} arrivals dropped in 30 s in run {{ $labels.runId }}" },
  },
  {
    kind: "burn_rate",
    name: "CheckoutErrorBudgetBurn",
    // Burn rates over load-run windows are run-scoped: measured while the run is live, resolved
    // ("run ended") when it ends, since frozen windows would otherwise keep "burning" for hours.
    description:
      "Checkout spends its 99 % error budget too fast during a live run (SRE workbook multiwindow burn rate).",
    severity: "critical",
    step: "checkout",
    objective: 0.99,
    windows: [
      { longSeconds: 3600, shortSeconds: 300, factor: 14.4 },
      { longSeconds: 21600, shortSeconds: 1800, factor: 6 },
    ],
    minCount: 10,
    forSeconds: 0,
    keepFiringForSeconds: 60,
    labels: { category: "slo" },
    annotations: { summary: "Checkout burns its error budget {{ $value }}× too fast" },
  },
  {
    kind: "threshold",
    name: "ShopDown",
    description: "Most probe checks fail: the shop is down or unreachable.",
    severity: "critical",
    // At least three checks a minute: a reachability probe (every 10-20 s) pages when the shop is
    // gone, while a login + checkout flow every 30 s whose two checks both hit a payment incident
    // (seen in a full-rate holiday-spike: 30 % payment failures) is CheckoutErrorRate's, not "down".
    query: { source: "probes", stat: "success_ratio", windowSeconds: 60, minCount: 3 },
    comparator: "<",
    threshold: 0.5,
    forSeconds: 15,
    keepFiringForSeconds: 30,
    labels: { category: "availability" },
    annotations: {
      summary:
        "Probe {{ $labels.probe }} succeeds {{ $value | humanizePercentage }} of checks on {{ $labels.target }}",
    },
  },
  {
    kind: "threshold",
    name: "ProbeLatencyHigh",
    // The median, not p95: a probe checks every 10-30 s, so a minute holds a handful of checks and
    // p95 is their maximum; one slow check on a busy 2-core machine must not page anyone. The
    // short window and keep_firing_for let it resolve within ~45 s of recovery (test: defaults.test.ts).
    description: "Most probe checks of the last minute took over 2 s.",
    severity: "warning",
    query: { source: "probes", stat: "latency_p50", windowSeconds: 60, minCount: 2 },
    comparator: ">",
    threshold: 2000,
    forSeconds: 60,
    keepFiringForSeconds: 15,
    labels: { category: "latency" },
    annotations: { summary: "Probe {{ $labels.probe }} median {{ $value | ms }} over the last minute" },
  },
  {
    kind: "threshold",
    name: "ShopEventLoopLag",
    description: "The shop's event loop lags: it is CPU-bound.",
    severity: "warning",
    query: { source: "metrics", series: "event_loop_lag_seconds", stat: "avg", windowSeconds: 30 },
    comparator: ">",
    threshold: 0.2,
    forSeconds: 30,
    keepFiringForSeconds: 30,
    labels: { category: "saturation" },
    annotations: { summary: "Shop event-loop lag p99 {{ $value | seconds }}" },
  },
  {
    kind: "threshold",
    name: "HubBackupOverdue",
    description: "No successful scheduled backup of the hub for two days (HUB_BACKUP_INTERVAL_HOURS).",
    severity: "warning",
    query: {
      source: "metrics",
      series: "peakwatch_hub_backup_age_seconds",
      stat: "last",
      windowSeconds: 120,
    },
    comparator: ">",
    threshold: 2 * 24 * 3600,
    forSeconds: 0,
    keepFiringForSeconds: 0,
    labels: { category: "backup" },
    annotations: {
      summary: "No successful hub backup for {{ $value | seconds }}: see Admin → Backups for the last error",
    },
  },
].map((spec) => RuleSpecSchema.parse(spec));

/** A shop that is down makes every latency alert about it noise. */
export const defaultInhibitRules: InhibitRule[] = [
  {
    sourceMatchers: [{ name: "alertname", op: "=", value: "ShopDown" }],
    targetMatchers: [{ name: "category", op: "=", value: "latency" }],
    equal: ["target"],
  },
];
