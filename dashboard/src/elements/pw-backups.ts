import { css, html, LitElement } from "lit";
import { customElement, state } from "lit/decorators.js";
import { type BackupList, BackupListSchema } from "../../../core/api/backups.ts";
import { formatBytes } from "../../../core/bytes.ts";
import { ApiError } from "../api/api-error.ts";
import { hub } from "../api/hub-client.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { formatAgo, formatTime } from "../format.ts";
import { breakable } from "../format-breaks.ts";
import { adminStyles } from "../styles/admin.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-table-scroll.ts";

/**
 * Admin: the hub's backups — schedule, last success (time and size) or failure, the archives
 * kept with download links, and "Back up now".
 */
@customElement("pw-backups")
export class PwBackups extends LitElement {
  static override styles = [
    sharedStyles,
    adminStyles,
    css`
      .actions {
        display: flex;
        gap: 0.75rem;
        align-items: center;
        flex-wrap: wrap;
        margin-top: 0.75rem;
      }
    `,
  ];

  @state() private message = "";
  @state() private busy = false;

  private readonly list = new ApiTask<BackupList>(this, {
    task: async (signal) => BackupListSchema.parse(await hub.get("/backups", undefined, signal)),
    refreshMs: 30_000,
  });

  override render() {
    const list = this.list.value;
    return html`<section class="panel" aria-labelledby="backups-title">
      <h2 id="backups-title">Backups</h2>
      ${this.list.error ? html`<p class="error-text">${this.list.error.message}</p>` : null}
      ${list ? this.summary(list) : null}
      <div class="actions">
        <button class="primary" ?disabled=${this.busy} @click=${() => void this.backUpNow()}>
          ${this.busy ? "Backing up…" : "Back up now"}
        </button>
        ${this.message ? html`<span role="status">${this.message}</span>` : null}
      </div>
      ${list && list.backups.length > 0 ? this.table(list) : null}
    </section>`;
  }

  private summary(list: BackupList) {
    const { status } = list;
    const schedule =
      list.intervalHours > 0
        ? `every ${list.intervalHours} h, keeping ${list.keep}`
        : `not scheduled (HUB_BACKUP_INTERVAL_HOURS=0), keeping ${list.keep}`;
    const last = status.lastSuccessAt
      ? html`Last backup ${formatAgo(Date.parse(status.lastSuccessAt), Date.now())}
          (${formatTime(Date.parse(status.lastSuccessAt))}), ${formatBytes(status.lastSuccessBytes ?? 0)}.`
      : html`<strong>No backup yet.</strong>`;
    return html`<p data-testid="backup-status">${last} Schedule: ${schedule}; ${list.driver} database.</p>
      ${
        status.lastError
          ? html`<p class="error-text" data-testid="backup-error">
            Last attempt failed ${status.lastErrorAt ? formatTime(Date.parse(status.lastErrorAt)) : ""}: ${status.lastError}
          </p>`
          : null
      }`;
  }

  private table(list: BackupList) {
    return html`<pw-table-scroll label="Backups"><table data-testid="backups-table">
      <thead>
        <tr>
          <th scope="col">Archive</th>
          <th scope="col">Made</th>
          <th scope="col">Size</th>
        </tr>
      </thead>
      <tbody>
        ${list.backups.map(
          (b) => html`<tr>
            <td class="name">
              <a href=${hub.href(`/backups/${encodeURIComponent(b.name)}`)} download=${b.name}>${breakable(b.name)}</a>
            </td>
            <td>${formatTime(Date.parse(b.createdAt))}</td>
            <td>${formatBytes(b.bytes)}</td>
          </tr>`,
        )}
      </tbody>
    </table></pw-table-scroll>`;
  }

  private async backUpNow(): Promise<void> {
    this.busy = true;
    this.message = "";
    try {
      const made = (await hub.post("/backups")) as { name: string; bytes: number };
      this.message = `Wrote ${made.name} (${formatBytes(made.bytes)}).`;
    } catch (error) {
      this.message =
        error instanceof ApiError ? `Failed: ${error.message}` : "Failed: the hub could not be reached.";
    } finally {
      this.busy = false;
    }
    await this.list.run();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-backups": PwBackups;
  }
}
