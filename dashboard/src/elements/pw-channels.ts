import { css, html, LitElement, nothing } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { ChannelKind, ChannelTestResult, ChannelView } from "../../../core/channel.ts";
import { hub } from "../api/hub-client.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-table-scroll.ts";

/** The form's fields per channel kind; `secret` ones are never shown back (write-only). */
interface Field {
  name: string;
  label: string;
  secret?: boolean;
  type?: "text" | "url" | "email";
  required?: boolean;
  hint?: string;
}

const fields: Record<ChannelKind, Field[]> = {
  webhook: [
    {
      name: "url",
      label: "URL",
      secret: true,
      type: "url",
      required: true,
      hint: "Alertmanager webhook v4 payload",
    },
    { name: "authorization", label: "Authorization header", secret: true, hint: "optional, e.g. Bearer …" },
  ],
  alertmanager: [
    {
      name: "url",
      label: "Alertmanager URL",
      secret: true,
      type: "url",
      required: true,
      hint: "alerts go to /api/v2/alerts",
    },
    { name: "authorization", label: "Authorization header", secret: true },
  ],
  email: [
    { name: "to", label: "To (comma separated)", required: true },
    { name: "from", label: "From" },
    { name: "smtpUrl", label: "SMTP URL", secret: true, hint: "optional; default SMTP_URL" },
  ],
  slack: [
    { name: "url", label: "Incoming webhook URL", secret: true, type: "url", required: true },
    { name: "channel", label: "Channel override", hint: "optional, e.g. #ops" },
  ],
  pagerduty: [
    { name: "routingKey", label: "Routing key", secret: true, required: true },
    {
      name: "url",
      label: "Events API URL",
      secret: true,
      type: "url",
      hint: "optional; default PagerDuty's",
    },
  ],
};

const kinds = Object.keys(fields) as ChannelKind[];

/** Turns the form into the API's channel body; empty secret fields are left out (kept on edit). */
function bodyOf(kind: ChannelKind, form: FormData): Record<string, unknown> {
  const value = (name: string) => String(form.get(name) ?? "").trim();
  const body: Record<string, unknown> = { name: value("name"), kind, enabled: form.get("enabled") === "on" };
  for (const f of fields[kind]) {
    const v = value(f.name);
    if (v === "") continue;
    if (f.name === "to")
      body.to = v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    else if (f.name === "authorization") body.headers = { Authorization: v };
    else body[f.name] = v;
  }
  return body;
}

/**
 * Admin → notification channels: create, edit, disable and delete channels (webhook,
 * Alertmanager, email, Slack, PagerDuty), "Send test" with the receiver's answer, and the
 * routing tree with inhibition rules. Secrets are write-only: after saving, a form shows
 * "stored encrypted" and leaving the field empty keeps the stored value.
 */
@customElement("pw-channels")
export class PwChannels extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      form.channel {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
        gap: 0.75rem;
        align-items: end;
        margin-top: 1rem;
      }
      label.block {
        display: block;
      }
      h3 {
        margin-top: 1.5rem;
      }
      textarea {
        box-sizing: border-box;
        width: 100%;
        min-height: 12rem;
        font-family: var(--pw-mono, monospace);
      }
      .actions {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      small {
        display: block;
        color: var(--pw-muted);
      }
    `,
  ];

  @state() private kind: ChannelKind = "webhook";
  /** The channel being edited; null: creating a new one. */
  @state() private editing: ChannelView | null = null;
  @state() private message = "";
  @state() private error = "";
  @state() private results: Record<string, ChannelTestResult | "sending"> = {};
  @state() private routing = "";

  private readonly channels = new ApiTask(this, {
    task: async (signal) =>
      ((await hub.get<{ channels: ChannelView[] }>("/channels", undefined, signal)).channels ??
        []) as ChannelView[],
  });
  private readonly routes = new ApiTask(this, {
    task: async (signal) => {
      const doc = await hub.get<Record<string, unknown>>("/routes", undefined, signal);
      this.routing = JSON.stringify({ route: doc.route, inhibitRules: doc.inhibitRules }, null, 2);
      return doc;
    },
  });

  /** The channels, one row each (an empty list shows a sentence instead: seven bare headings overflow a phone). */
  private table(list: ChannelView[]) {
    return html`<pw-table-scroll label="Notification channels"><table data-testid="channel-list">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Sends to</th>
            <th scope="col">Secret</th>
            <th scope="col">State</th>
            <th scope="col">Actions</th>
            <th scope="col">Last test</th>
          </tr>
        </thead>
        <tbody>
          ${list.map((c) => this.row(c))}
        </tbody>
      </table></pw-table-scroll>`;
  }

  override render() {
    const list = this.channels.value ?? [];
    return html`<section class="panel" aria-labelledby="pw-channels-title">
      <h2 id="pw-channels-title">Notification channels</h2>
      ${this.message ? html`<p role="status" data-testid="channels-message">${this.message}</p>` : nothing}
      ${this.error ? html`<p class="error-text" role="alert" data-testid="channels-error">${this.error}</p>` : nothing}
      ${this.channels.error ? html`<p class="error-text">${this.channels.error.message}</p>` : nothing}
      ${
        list.length === 0
          ? html`<p class="muted" data-testid="no-channels">No channels yet: alerts show on the dashboard only.</p>`
          : this.table(list)
      }
      ${this.form()}
      <h3>Routing and inhibition</h3>
      <p class="muted">
        Which alerts go to which channel (Alertmanager's routing tree) and which alerts mute others. Unset
        timings use group_wait, group_interval and repeat_interval from the hub's settings.
      </p>
      <label class="block"
        ><span class="visually-hidden">Routing document (JSON)</span>
        <textarea
          data-testid="routing-json"
          .value=${this.routing}
          @input=${(e: Event) => {
            this.routing = (e.target as HTMLTextAreaElement).value;
          }}
        ></textarea
      ></label>
      <div class="actions">
        <button class="primary" @click=${this.saveRouting}>Save routing</button>
        <button @click=${this.resetRouting}>Back to the default routing</button>
      </div>
    </section>`;
  }

  private row(c: ChannelView) {
    const s = c.settings as Record<string, unknown>;
    const target =
      typeof s.urlHost === "string" ? s.urlHost : Array.isArray(s.to) ? (s.to as string[]).join(", ") : "–";
    const result = this.results[c.id];
    return html`<tr data-testid="channel-row" data-name=${c.name}>
      <td>${c.name}</td>
      <td>${c.kind}</td>
      <td class="muted">${target}</td>
      <td>${c.hasSecret ? "stored encrypted" : "none"}</td>
      <td>${c.enabled ? "enabled" : html`<span class="muted">disabled</span>`}</td>
      <td class="actions">
        <button @click=${() => this.edit(c)} aria-label=${`Edit ${c.name}`}>Edit</button>
        <button @click=${() => void this.toggle(c)}>${c.enabled ? "Disable" : "Enable"}</button>
        <button @click=${() => void this.test(c)} ?disabled=${result === "sending"} data-testid="send-test">
          Send test
        </button>
        <button @click=${() => void this.deleteChannel(c)} aria-label=${`Delete ${c.name}`}>Delete</button>
      </td>
      <td data-testid="test-result">
        ${
          result === undefined
            ? html`<span class="muted">–</span>`
            : result === "sending"
              ? "sending…"
              : result.ok
                ? html`<span class="ok">delivered in ${result.durationMs} ms</span>`
                : html`<span class="bad">failed after ${result.durationMs} ms: ${result.error}</span>`
        }
      </td>
    </tr>`;
  }

  private form() {
    const editing = this.editing;
    const s = (editing?.settings ?? {}) as Record<string, unknown>;
    const shown = (f: Field) => {
      if (f.secret || !editing) return "";
      const v = s[f.name];
      return Array.isArray(v) ? v.join(", ") : typeof v === "string" ? v : "";
    };
    return html`<form class="channel" data-testid="channel-form" @submit=${this.save}>
      <label
        >Name
        <input name="name" required pattern="[A-Za-z0-9_.:\\-]+" .value=${editing?.name ?? ""} />
      </label>
      <label
        >Kind
        <select
          name="kind"
          ?disabled=${editing !== null}
          @change=${(e: Event) => {
            this.kind = (e.target as HTMLSelectElement).value as ChannelKind;
          }}
        >
          ${kinds.map((k) => html`<option value=${k} ?selected=${k === this.kind}>${k}</option>`)}
        </select>
      </label>
      ${fields[this.kind].map(
        (f) => html`<label
          >${f.label}
          <input
            name=${f.name}
            type=${f.secret ? "password" : (f.type ?? "text")}
            autocomplete="off"
            ?required=${Boolean(f.required) && !(editing && f.secret)}
            placeholder=${editing && f.secret && editing.hasSecret ? "stored encrypted; empty keeps it" : ""}
            .value=${shown(f)}
          />
          ${f.hint ? html`<small>${f.hint}</small>` : nothing}
        </label>`,
      )}
      <label class="inline"
        ><input type="checkbox" name="enabled" ?checked=${editing?.enabled ?? true} /> Enabled</label
      >
      <div class="actions">
        <button class="primary" type="submit">${editing ? `Save ${editing.name}` : "Create channel"}</button>
        ${editing ? html`<button type="button" @click=${() => this.edit(null)}>Cancel</button>` : nothing}
      </div>
    </form>`;
  }

  private edit(c: ChannelView | null): void {
    this.editing = c;
    if (c) this.kind = c.kind;
    this.message = "";
    this.error = "";
  }

  private async run(action: () => Promise<string>): Promise<void> {
    this.message = "";
    this.error = "";
    try {
      this.message = await action();
      await Promise.all([this.channels.run(), this.routes.run()]);
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  private save = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const body = bodyOf(this.kind, new FormData(form));
    const editing = this.editing;
    await this.run(async () => {
      if (editing) await hub.put(`/channels/${editing.id}`, body);
      else await hub.post("/channels", body);
      // Secrets never stay in the page once saved.
      form.reset();
      this.editing = null;
      return `Saved channel ${String(body.name)}.`;
    });
  };

  private async toggle(c: ChannelView): Promise<void> {
    await this.run(async () => {
      await hub.put(`/channels/${c.id}`, { enabled: !c.enabled });
      return `${c.name} ${c.enabled ? "disabled" : "enabled"}.`;
    });
  }

  private async deleteChannel(c: ChannelView): Promise<void> {
    if (!confirm(`Delete channel ${c.name}?`)) return;
    await this.run(async () => {
      await hub.delete(`/channels/${c.id}`);
      return `Deleted ${c.name}.`;
    });
  }

  private async test(c: ChannelView): Promise<void> {
    this.results = { ...this.results, [c.id]: "sending" };
    try {
      const { result } = await hub.post<{ result: ChannelTestResult }>(`/channels/${c.id}/test`);
      this.results = { ...this.results, [c.id]: result };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.results = { ...this.results, [c.id]: { ok: false, error: message, durationMs: 0 } };
    }
  }

  private saveRouting = async (): Promise<void> => {
    let doc: unknown;
    try {
      doc = JSON.parse(this.routing);
    } catch (error) {
      this.error = `The routing document is not valid JSON: ${(error as Error).message}`;
      return;
    }
    await this.run(async () => {
      await hub.put("/routes", doc);
      await this.routes.run();
      return "Routing saved.";
    });
  };

  private resetRouting = async (): Promise<void> => {
    await this.run(async () => {
      await hub.delete("/routes");
      await this.routes.run();
      return "Back to the default routing: webhooks, Slack and PagerDuty get every alert, email the critical ones.";
    });
  };
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-channels": PwChannels;
  }
}
