import { css, html, LitElement } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { ProbeResult } from "../../../core/probe-result.ts";
import { hub } from "../api/hub-client.ts";
import { listOf, type Me, type ProbeStatus } from "../api/types.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { LiveController } from "../controllers/live-controller.ts";
import { formatAgo, formatMs, formatTime } from "../format.ts";
import { skippedPhases } from "../format-phases.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-phase-bar.ts";
import "./pw-probe-editor.ts";
import "./pw-sparkline.ts";

const RECENT = 60;
/** Failures listed per probe; loaded apart from the recent checks, so an old outage still shows. */
const FAILURES = 5;
/** A probe runs in several regions; each (probe, region) is its own row. */
const key = (probe: string, region: string) => `${probe}|${region}`;

/**
 * Probes at a glance: state per probe, a latency sparkline of the recent checks, the phase
 * breakdown of the last one, and recent failures with their messages. Live via the probes topic.
 */
@customElement("pw-probes")
export class PwProbes extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .cards {
        display: grid;
        gap: 0.75rem;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 24rem), 1fr));
      }
      article {
        border: 1px solid var(--pw-border);
        border-radius: var(--pw-radius);
        padding: 0.6rem 0.75rem;
        min-width: 0;
      }
      .head {
        display: flex;
        justify-content: space-between;
        align-items: baseline;
        gap: 0.5rem;
      }
      .head h2 {
        margin: 0;
        font-size: 1rem;
        overflow-wrap: anywhere;
      }
      .meta {
        font-size: 0.85rem;
        overflow-wrap: anywhere;
      }
      /* "checked 24 s ago" on one line: a figure never leaves its unit behind. */
      .meta .ago {
        white-space: nowrap;
      }
      .figures {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem 1.5rem;
        margin: 0.5rem 0;
        font-size: 0.85rem;
      }
      h3 {
        font-size: 0.9rem;
        margin: 0.5rem 0 0.25rem;
      }
      .failures {
        font-size: 0.85rem;
        margin: 0;
        padding-left: 1rem;
        overflow-wrap: anywhere;
      }
      p {
        margin: 0;
      }
    `,
  ];

  /** The signed-in user (the probe editor needs their role). */
  @property({ attribute: false }) me: Me | undefined;
  /** Recent results per probe and region, oldest first. */
  @state() private recent = new Map<string, ProbeResult[]>();
  /** Recent failures per probe and region, newest first. */
  @state() private failures = new Map<string, ProbeResult[]>();

  /**
   * On open: each probe's (and region's) recent checks and recent failures over REST, so the
   * sparklines and "Recent failures" are filled before the first live push arrives.
   */
  private readonly probes = new ApiTask(this, {
    task: async (signal) => {
      const probes = listOf<ProbeStatus>(await hub.get("/probes", undefined, signal), "probes");
      const recent = new Map<string, ProbeResult[]>();
      const failures = new Map<string, ProbeResult[]>();
      await Promise.all(
        probes.map(async (p) => {
          const path = `/probes/${encodeURIComponent(p.name)}/results`;
          const [results, failed] = await Promise.all([
            hub.get(path, { region: p.region, limit: RECENT }, signal),
            hub.get(path, { region: p.region, ok: "false", limit: FAILURES }, signal),
          ]);
          const k = key(p.name, p.region);
          recent.set(
            k,
            listOf<ProbeResult>(results, "results").sort((a, b) => a.startedAt - b.startedAt),
          );
          failures.set(
            k,
            listOf<ProbeResult>(failed, "results").sort((a, b) => b.startedAt - a.startedAt),
          );
        }),
      );
      this.recent = recent;
      this.failures = failures;
      return probes;
    },
  });

  constructor() {
    super();
    new LiveController(this, {
      topics: () => ["probes"],
      onMessage: (message) => {
        if (message.type !== "probe") return;
        const r = message.result;
        const k = key(r.probe, r.region);
        const list = [...(this.recent.get(k) ?? []).filter((x) => x.id !== r.id), r].slice(-RECENT);
        this.recent = new Map(this.recent).set(k, list);
        if (!r.ok) {
          const failed = [r, ...(this.failures.get(k) ?? []).filter((x) => x.id !== r.id)].slice(0, FAILURES);
          this.failures = new Map(this.failures).set(k, failed);
        }
        if (!this.probes.value?.some((p) => p.name === r.probe && p.region === r.region))
          void this.probes.run();
      },
      onReconnect: () => void this.probes.run(),
    });
    this.addEventListener("probes-changed", () => void this.probes.run());
  }

  override render() {
    const probes = this.probes.value ?? [];
    return html`<h1>Probes</h1>
      <section class="panel">
        ${this.probes.error ? html`<p class="error-text">${this.probes.error.message}</p>` : null}
        <div class="cards" data-testid="probes-table">
          ${probes.length === 0 ? html`<p class="muted">No probes have reported yet.</p>` : probes.map((p) => this.card(p))}
        </div>
      </section>
      <pw-probe-editor .me=${this.me}></pw-probe-editor>`;
  }

  /** One probe in one region: a card, so it reads on a phone as well as on a laptop. */
  private card(p: ProbeStatus) {
    const results = this.recent.get(key(p.name, p.region)) ?? [];
    const last = results.at(-1) ?? p.lastResult ?? undefined;
    const state = last?.state ?? p.state;
    const failures = (this.failures.get(key(p.name, p.region)) ?? []).slice(0, 3);
    return html`<article data-probe=${p.name} data-region=${p.region} aria-label=${`${p.name} in ${p.region}`}>
      <div class="head">
        <h2>${p.name}</h2>
        <span class="badge ${state}">${state}</span>
      </div>
      <div class="muted meta">
        ${p.kind} · ${p.region} · <span class="target">${p.target}</span>
        ${last ? html` · <span class="ago">checked ${formatAgo(last.startedAt, Date.now())}</span>` : null}
      </div>
      <div class="figures">
        <div>
          <div class="muted">Latency, last ${RECENT} checks</div>
          <pw-sparkline
            .values=${results.map((r) => (r.ok ? r.phases.total : null))}
            label=${`${p.name} latency, last ${formatMs(last?.phases.total)}`}
          ></pw-sparkline>
          <div class="muted">last ${formatMs(last?.phases.total)}</div>
        </div>
        <div>
          <div class="muted">Last check phases</div>
          <pw-phase-bar
            .phases=${last?.phases}
            .skipped=${last ? skippedPhases(last.target, last.phases, last) : {}}
          ></pw-phase-bar>
        </div>
      </div>
      <h3>Recent failures</h3>
      ${
        failures.length === 0
          ? html`<p class="muted">none</p>`
          : html`<ul class="failures" data-testid="probe-failures">
            ${failures.map(
              (f) => html`<li>
                <span class="muted">${formatTime(f.startedAt)}</span> ${f.status ? `HTTP ${f.status}: ` : ""}${
                  f.message ?? "failed"
                }
              </li>`,
            )}
          </ul>`
      }
    </article>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-probes": PwProbes;
  }
}
