import { css, html, LitElement } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { Silence, SilenceState } from "../../../core/silence.ts";
import { ApiError } from "../api/api-error.ts";
import { hub } from "../api/hub-client.ts";
import { atLeast } from "../api/roles.ts";
import { listOf, type Me } from "../api/types.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { formatTime } from "../format.ts";
import { cardRows } from "../styles/card-rows.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-table-scroll.ts";

type SilenceView = Silence & { state: SilenceState };

/** A silence's matchers as Alertmanager prints them: `alertname="X", step=~"check.*"`. */
export function matchersText(matchers: Silence["matchers"]): string {
  return matchers.map((m) => `${m.name}${m.op}"${m.value}"`).join(", ");
}

/**
 * The silences in force or to come (GET /silences): what each mutes, until when, who set it and
 * why; an engineer ends one early with Unsilence (DELETE /silences/:id).
 */
@customElement("pw-silences")
export class PwSilences extends LitElement {
  static override styles = [
    sharedStyles,
    cardRows("table"),
    css`
      td.matchers {
        font-family: var(--pw-mono);
        font-size: 0.8rem;
        overflow-wrap: anywhere;
      }
    `,
  ];

  @property({ attribute: false }) me: Me | undefined;
  @state() private message = "";

  private readonly silences = new ApiTask(this, {
    task: async (signal) => listOf<SilenceView>(await hub.get("/silences", undefined, signal), "silences"),
    refreshMs: 30_000,
  });

  /** Loads the list again (after a silence was set elsewhere on the page). */
  reload(): Promise<void> {
    return this.silences.run();
  }

  override render() {
    const list = (this.silences.value ?? []).filter((s) => s.state !== "expired");
    const canAct = atLeast(this.me?.role, "engineer");
    return html`<section class="panel" aria-labelledby="silences-title" data-testid="silences">
      <h2 id="silences-title">Silences</h2>
      ${this.message ? html`<p role="status">${this.message}</p>` : null}
      ${this.silences.error ? html`<p class="error-text" role="alert">${this.silences.error.message}</p>` : null}
      <pw-table-scroll label="Silences"><table>
        <thead>
          <tr>
            <th scope="col">Mutes alerts with</th>
            <th scope="col">Until</th>
            <th scope="col">Set by</th>
            ${canAct ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : null}
          </tr>
        </thead>
        <tbody>
          ${
            list.length === 0
              ? html`<tr><td colspan="4" class="muted">No silence in force: every alert notifies.</td></tr>`
              : list.map(
                  (s) => html`<tr data-silence=${s.id} data-state=${s.state}>
                    <td class="matchers" data-label="Mutes">${matchersText(s.matchers)}</td>
                    <td data-label="Until">
                      ${s.state === "pending" ? html`from ${formatTime(s.startsAt)}<br />` : null}${formatTime(s.endsAt)}
                    </td>
                    <td data-label="Set by">${s.createdBy}<div class="muted">${s.comment}</div></td>
                    ${
                      canAct
                        ? html`<td>
                          <button @click=${() => void this.unsilence(s)} aria-label=${`Unsilence ${matchersText(s.matchers)}`}>
                            Unsilence
                          </button>
                        </td>`
                        : null
                    }
                  </tr>`,
                )
          }
        </tbody>
      </table></pw-table-scroll>
    </section>`;
  }

  private async unsilence(s: SilenceView): Promise<void> {
    try {
      await hub.delete(`/silences/${encodeURIComponent(s.id)}`);
      this.message = `Unsilenced ${matchersText(s.matchers)}: its alerts notify again.`;
      await this.silences.run();
    } catch (error) {
      this.message =
        error instanceof ApiError ? `Failed: ${error.message}` : "Failed: the hub could not be reached.";
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-silences": PwSilences;
  }
}
