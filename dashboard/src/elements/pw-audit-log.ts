import { css, html, LitElement } from "lit";
import { customElement, state } from "lit/decorators.js";
import { type AuditEntryView, AuditPageSchema } from "../../../core/api/audit.ts";
import { hub } from "../api/hub-client.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { formatTime } from "../format.ts";
import { adminStyles } from "../styles/admin.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-table-scroll.ts";

const PAGE = 50;

/** Admin: the audit log (who changed which rights, expired rights refused), newest first, paged. */
@customElement("pw-audit-log")
export class PwAuditLog extends LitElement {
  static override styles = [
    sharedStyles,
    adminStyles,
    css`
      td code {
        white-space: pre-wrap;
      }
      /* Times, emails and action names read whole, on a phone too (the table scrolls sideways in
         its pw-table-scroll); the target and detail may wrap anywhere. */
      td.whole,
      td.when {
        overflow-wrap: normal;
        white-space: nowrap;
      }
    `,
  ];

  /** Entries loaded past the first page by "Older entries". */
  @state() private older: AuditEntryView[] = [];
  @state() private next: number | null = null;

  private readonly first = new ApiTask(this, {
    task: async (signal) => {
      const page = AuditPageSchema.parse(await hub.get("/audit", { limit: String(PAGE) }, signal));
      this.older = [];
      this.next = page.next;
      return page.entries;
    },
    refreshMs: 30_000,
  });

  override render() {
    const entries = [...(this.first.value ?? []), ...this.older];
    return html`<section class="panel" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      ${this.first.error ? html`<p class="error-text">${this.first.error.message}</p>` : null}
      ${
        entries.length === 0
          ? html`<p class="muted">Nothing audited yet.</p>`
          : html`<pw-table-scroll label="Audit log"><table data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              ${entries.map(
                (e) => html`<tr>
                  <td class="when">${formatTime(Date.parse(e.at))}</td>
                  <td class="whole">${e.actor}</td>
                  <td class="whole">${e.action}</td>
                  <td>${e.target}</td>
                  <td>${e.detail ? html`<code>${JSON.stringify(e.detail)}</code>` : ""}</td>
                </tr>`,
              )}
            </tbody>
          </table></pw-table-scroll>`
      }
      ${this.next !== null ? html`<button @click=${() => void this.loadOlder()}>Older entries</button>` : null}
    </section>`;
  }

  private async loadOlder(): Promise<void> {
    if (this.next === null) return;
    const page = AuditPageSchema.parse(
      await hub.get("/audit", { limit: String(PAGE), before: String(this.next) }),
    );
    this.older = [...this.older, ...page.entries];
    this.next = page.next;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-audit-log": PwAuditLog;
  }
}
