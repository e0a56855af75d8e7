import { css, html, LitElement } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { HubConfigViewSchema } from "../../../core/api/hub-config.ts";
import type { RunStarted } from "../../../core/api/runs.ts";
import { failureText } from "../api/act.ts";
import { hub } from "../api/hub-client.ts";
import { atLeast } from "../api/roles.ts";
import { listOf, type Me, type Profile, type Run } from "../api/types.ts";
import { MAX_LOCAL_WORKERS, parseWorkers } from "../control/workers.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { LiveController } from "../controllers/live-controller.ts";
import { formatTime } from "../format.ts";
import { routeHref } from "../router.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-faults.ts";
import "./pw-table-scroll.ts";

const TARGET_KEY = "pw-last-target";
const ACTIVE = new Set(["starting", "running"]);

/**
 * Control (ops): pick a profile, scale and target, start and stop runs; the shop's fault
 * switches below. Viewers and engineers see the runs in progress and the switches' state only.
 */
@customElement("pw-control")
export class PwControl extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: flex-end;
      }
      input[type="number"] {
        width: 6rem;
      }
      input[type="url"] {
        width: 18rem;
      }
    `,
  ];

  @property({ attribute: false }) me: Me | undefined;
  /** The last start or stop's outcome, shown in the panel it came from; a failure in red. */
  @state() private outcome: { where: "start" | "stop"; ok: boolean; text: string } | undefined;
  @state() private busy = false;
  @state() private workersError = false;

  private readonly profiles = new ApiTask(this, {
    task: async (signal) => listOf<Profile>(await hub.get("/profiles", undefined, signal), "profiles"),
  });

  /** The shop the hub really scrapes and the hosts it allows: the form's defaults, never a fixed port. */
  private readonly hubConfig = new ApiTask(this, {
    task: async (signal) => HubConfigViewSchema.parse(await hub.get("/config", undefined, signal)),
  });

  private readonly runs = new ApiTask(this, {
    task: async (signal) => listOf<Run>(await hub.get("/runs", { limit: 50 }, signal), "runs"),
  });

  constructor() {
    super();
    new LiveController(this, {
      topics: () => ["runs"],
      onMessage: (message) => {
        if (message.type === "run") void this.runs.run();
      },
      onReconnect: () => void this.runs.run(),
    });
  }

  override render() {
    const canRun = atLeast(this.me?.role, "ops");
    const active = (this.runs.value ?? []).filter((r) => ACTIVE.has(r.status));
    return html`<h1>Control</h1>
      ${
        canRun
          ? this.startForm()
          : html`<p class="muted" data-testid="no-control">Starting and stopping runs and
            switching faults needs the ops role; you have ${this.me?.role}.</p>`
      }
      <section class="panel" aria-labelledby="active-title">
        <h2 id="active-title">Runs in progress</h2>
        ${this.outcomeLine("stop")}
        ${
          active.length === 0
            ? html`<p class="muted">None.</p>`
            : html`<pw-table-scroll label="Runs in progress"><table>
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Profile</th>
                  <th scope="col">Started</th>
                  <th scope="col">Status</th>
                  ${canRun ? html`<th scope="col">Action</th>` : null}
                </tr>
              </thead>
              <tbody>
                ${active.map(
                  (r) => html`<tr>
                    <td><a href=${routeHref("live", r.runId)}>${r.runId}</a></td>
                    <td>${r.profile}</td>
                    <td>${formatTime(r.startedAt)}</td>
                    <td><span class="badge ${r.status}">${r.status}</span></td>
                    ${
                      canRun
                        ? html`<td>
                          <button class="danger" @click=${() => void this.stop(r)} aria-label=${`Stop run ${r.runId}`}>
                            Stop
                          </button>
                        </td>`
                        : null
                    }
                  </tr>`,
                )}
              </tbody>
            </table></pw-table-scroll>`
        }
      </section>
      <pw-faults .canSwitch=${canRun}></pw-faults>`;
  }

  private startForm() {
    const profiles = this.profiles.value ?? [];
    const config = this.hubConfig.value;
    const shopUrl = config?.shopUrl.replace(/\/$/, "");
    // The last target is offered, not preset: it may be a shop of a stack that no longer runs.
    const last = localStorage.getItem(TARGET_KEY);
    const allowed = config
      ? ["loopback", new URL(config.shopUrl).host, ...config.allowedTargets].join(", ")
      : undefined;
    return html`<section class="panel" aria-labelledby="start-title">
      <h2 id="start-title">Start a run</h2>
      <form @submit=${this.start} @input=${this.edited} data-testid="start-form">
        <label
          >Profile
          <select name="profile" required>
            ${profiles.map((p) => html`<option value=${p.name} title=${p.description}>${p.name}</option>`)}
          </select></label
        >
        <label
          >Target URL
          <input
            name="target"
            type="url"
            required
            list="pw-targets"
            aria-describedby="target-hint"
            placeholder=${shopUrl ?? ""}
            .value=${shopUrl ?? ""}
          /><datalist id="pw-targets">
            ${[shopUrl, last].filter((t, i, all): t is string => Boolean(t) && all.indexOf(t) === i).map((t) => html`<option value=${t}></option>`)}
          </datalist></label
        >
        <label>Rate scale <input name="rateScale" type="number" min="0.01" max="100" step="0.01" value="1" /></label>
        <label
          >Duration scale <input name="durationScale" type="number" min="0.01" max="100" step="0.01" value="1"
        /></label>
        <label
          >Workers
          <input
            name="workers"
            value="1"
            size="4"
            aria-describedby="workers-hint"
            aria-invalid=${this.workersError ? "true" : "false"}
        /></label>
        <button class="primary" type="submit" ?disabled=${this.busy || profiles.length === 0}>Start run</button>
      </form>
      ${this.outcomeLine("start")}
      <p class="muted" id="workers-hint">
        Workers: generator processes on the hub's machine (1 to ${MAX_LOCAL_WORKERS}, or "auto" for its cores − 1), each sending an interleaved share
        of the one schedule from a common start. A worker that dies makes the run degraded, naming it; an abort
        threshold that stops one stops them all. The breakpoint profile runs as one generator: its capacity is where
        one ramp breaks.
      </p>
      <p class="muted" id="target-hint" data-testid="target-hint">
        ${allowed ? `Runs may target: ${allowed} (PEAKWATCH_ALLOWED_TARGETS adds hosts).` : "Loading the hub's shop…"}
      </p>
      ${this.profiles.error ? html`<p class="error-text">${this.profiles.error.message}</p>` : null}
      ${this.hubConfig.error ? html`<p class="error-text">${this.hubConfig.error.message}</p>` : null}
    </section>`;
  }

  private outcomeLine(where: "start" | "stop") {
    const o = this.outcome;
    if (o?.where !== where) return null;
    return html`<p
      role=${o.ok ? "status" : "alert"}
      class=${o.ok ? "" : "error-text"}
      data-testid="control-message"
    >${o.text}</p>`;
  }

  /** A failure under the form is about what was sent: it goes once the form is changed. */
  private edited = (): void => {
    if (this.outcome?.where === "start" && !this.outcome.ok) this.outcome = undefined;
    this.workersError = false;
  };

  private async start(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const target = String(data.get("target"));
    const workers = parseWorkers(String(data.get("workers") ?? ""));
    // A bad worker count is named and nothing is sent.
    this.workersError = !workers.ok;
    if (!workers.ok) {
      this.outcome = { where: "start", ok: false, text: workers.error };
      return;
    }
    localStorage.setItem(TARGET_KEY, target);
    await this.act("start", async () => {
      const body = await hub.post<RunStarted>("/runs", {
        profile: String(data.get("profile")),
        target,
        rateScale: Number(data.get("rateScale")),
        durationScale: Number(data.get("durationScale")),
        workers: workers.workers,
      });
      const id = body.run.runId;
      this.outcome = { where: "start", ok: true, text: `Started ${id}.` };
      location.hash = routeHref("live", id);
    });
  }

  private async stop(run: Run): Promise<void> {
    await this.act("stop", async () => {
      await hub.post(`/runs/${encodeURIComponent(run.runId)}/stop`);
      this.outcome = { where: "stop", ok: true, text: `Stopping ${run.runId}.` };
      await this.runs.run();
    });
  }

  private async act(where: "start" | "stop", action: () => Promise<void>): Promise<void> {
    // The last attempt's outcome goes as the next one starts: no stale error under the form.
    this.outcome = undefined;
    this.busy = true;
    try {
      await action();
    } catch (error) {
      this.outcome = { where, ok: false, text: failureText(error) };
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-control": PwControl;
  }
}
