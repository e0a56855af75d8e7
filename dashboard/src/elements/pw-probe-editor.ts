import { css, html, LitElement } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { HubConfigViewSchema } from "../../../core/api/hub-config.ts";
import type { Probe } from "../../../core/probe.ts";
import { ApiError } from "../api/api-error.ts";
import { hub } from "../api/hub-client.ts";
import { atLeast } from "../api/roles.ts";
import type { Me } from "../api/types.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { formatTime } from "../format.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-table-scroll.ts";

/** A probe the hub keeps (GET /probes/definitions). */
interface ProbeDefinition {
  name: string;
  paused: boolean;
  probe: Probe;
  updatedBy: string | null;
  updatedAt: string;
}

/** A starting point for a new probe, aimed at the shop this hub watches. */
const example = (shopUrl = "http://127.0.0.1:4100") =>
  JSON.stringify(
    {
      name: "shop-health",
      kind: "http",
      url: new URL("/healthz", shopUrl).toString(),
      interval: "30s",
      assertions: [{ type: "status", in: [200] }],
    },
    null,
    2,
  );

const target = (p: Probe) =>
  "url" in p ? p.url : "host" in p ? `${p.host}:${p.port}` : `${p.steps.length} steps`;

/**
 * Probes defined on the hub: every probes process picks them up at its next poll. Anyone
 * logged in sees them; ops add (JSON, the probe-file format), edit, pause and delete them.
 * The hub validates as `peakwatch probes --check` does and its message names the bad field.
 */
@customElement("pw-probe-editor")
export class PwProbeEditor extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      form label {
        display: block;
      }
      textarea {
        display: block;
        box-sizing: border-box;
        width: 100%;
        min-height: 12rem;
        font-family: var(--font-mono, monospace);
      }
      .actions {
        display: flex;
        gap: 0.5rem;
      }
    `,
  ];

  /** The signed-in user; their role in the page's project decides whether they may edit. */
  @property({ attribute: false }) me: Me | undefined;
  @state() private editing: string | undefined;
  /** The form's text; undefined shows the example. */
  @state() private text: string | undefined;
  @state() private message = "";
  @state() private error = "";
  @state() private busy = false;

  private readonly hubConfig = new ApiTask(this, {
    task: async (signal) => HubConfigViewSchema.parse(await hub.get("/config", undefined, signal)),
  });
  private readonly definitions = new ApiTask(this, {
    task: async (signal) =>
      (await hub.get<{ definitions: ProbeDefinition[] }>("/probes/definitions", undefined, signal))
        .definitions,
  });

  override render() {
    const canEdit = atLeast(this.me?.role, "ops");
    const definitions = this.definitions.value ?? [];
    return html`<section class="panel" aria-labelledby="defined-title" data-testid="probe-editor">
      <h2 id="defined-title">Probes defined on the hub</h2>
      <p class="muted">Every probes process runs these besides its own file, from its next poll of the hub.</p>
      ${this.definitions.error ? html`<p class="error-text">${this.definitions.error.message}</p>` : null}
      <pw-table-scroll label="Probes defined on the hub"><table data-testid="probe-definitions">
        <thead>
          <tr>
            <th scope="col">Probe</th>
            <th scope="col">Kind</th>
            <th scope="col">Target</th>
            <th scope="col">State</th>
            <th scope="col">Changed</th>
            ${canEdit ? html`<th scope="col">Action</th>` : null}
          </tr>
        </thead>
        <tbody>
          ${
            definitions.length === 0
              ? html`<tr><td colspan="6" class="muted">None yet.</td></tr>`
              : definitions.map(
                  (d) => html`<tr data-definition=${d.name}>
                    <td>${d.name}</td>
                    <td>${d.probe.kind}</td>
                    <td>${target(d.probe)}</td>
                    <td><span class="badge">${d.paused ? "paused" : "active"}</span></td>
                    <td>${formatTime(Date.parse(d.updatedAt))}${d.updatedBy ? ` by ${d.updatedBy}` : ""}</td>
                    ${
                      canEdit
                        ? html`<td class="actions">
                          <button @click=${() => this.edit(d)} aria-label=${`Edit probe ${d.name}`}>Edit</button>
                          <button @click=${() => void this.togglePause(d)} aria-label=${`${d.paused ? "Resume" : "Pause"} probe ${d.name}`}>
                            ${d.paused ? "Resume" : "Pause"}
                          </button>
                          <button class="danger" @click=${() => void this.deleteDefinition(d)} aria-label=${`Delete probe ${d.name}`}>
                            Delete
                          </button>
                        </td>`
                        : null
                    }
                  </tr>`,
                )
          }
        </tbody>
      </table></pw-table-scroll>
      ${canEdit ? this.form() : html`<p class="muted">Adding and editing probes needs the ops role.</p>`}
      ${this.message ? html`<p role="status" data-testid="probe-editor-message">${this.message}</p>` : null}
      ${this.error ? html`<p class="error-text" role="alert" data-testid="probe-editor-error">${this.error}</p>` : null}
    </section>`;
  }

  private form() {
    return html`<form @submit=${this.save} data-testid="probe-form">
      <label
        >${this.editing ? `Edit ${this.editing}` : "New probe"} (JSON, as in a probe file)
        <textarea
          name="probe"
          spellcheck="false"
          .value=${this.text ?? example(this.hubConfig.value?.shopUrl)}
          @input=${(e: Event) => {
            this.text = (e.target as HTMLTextAreaElement).value;
          }}
        ></textarea>
      </label>
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.editing ? "Save" : "Add probe"}</button>
        ${this.editing ? html`<button type="button" @click=${this.cancel}>Cancel</button>` : null}
      </div>
    </form>`;
  }

  private edit(d: ProbeDefinition): void {
    this.editing = d.name;
    this.text = JSON.stringify(d.probe, null, 2);
    this.error = "";
  }

  private cancel(): void {
    this.editing = undefined;
    this.text = undefined;
  }

  private async save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    let probe: unknown;
    try {
      probe = JSON.parse(this.text ?? example(this.hubConfig.value?.shopUrl));
    } catch (error) {
      this.error = `probe: not valid JSON: ${(error as Error).message}`;
      return;
    }
    await this.act(async () => {
      if (this.editing) {
        await hub.patch(`/probes/definitions/${encodeURIComponent(this.editing)}`, { probe });
        this.message = `Saved ${this.editing}.`;
      } else {
        const created = await hub.post<ProbeDefinition>("/probes/definitions", { probe });
        this.message = `Added ${created.name}.`;
      }
      this.cancel();
    });
  }

  private togglePause(d: ProbeDefinition): Promise<void> {
    return this.act(async () => {
      await hub.patch(`/probes/definitions/${encodeURIComponent(d.name)}`, { paused: !d.paused });
      this.message = `${d.paused ? "Resumed" : "Paused"} ${d.name}.`;
    });
  }

  private deleteDefinition(d: ProbeDefinition): Promise<void> {
    if (!confirm(`Delete probe ${d.name}?`)) return Promise.resolve();
    return this.act(async () => {
      await hub.delete(`/probes/definitions/${encodeURIComponent(d.name)}`);
      this.message = `Deleted ${d.name}.`;
    });
  }

  private async act(action: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = "";
    try {
      await action();
      await this.definitions.run();
      // The probes page lists probes by their results: it reads again (a deleted one leaves it).
      this.dispatchEvent(new CustomEvent("probes-changed", { bubbles: true, composed: true }));
    } catch (error) {
      this.error = error instanceof ApiError ? error.message : "the hub could not be reached";
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-probe-editor": PwProbeEditor;
  }
}
