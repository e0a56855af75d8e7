import { css, html, LitElement } from "lit";
import { customElement, state } from "lit/decorators.js";
import { z } from "zod";
import { AgentTokenSchema, type AgentTokenView } from "../../../core/api/audit.ts";
import { act } from "../api/act.ts";
import { hub } from "../api/hub-client.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { formatTime } from "../format.ts";
import { breakable } from "../format-breaks.ts";
import { adminStyles } from "../styles/admin.ts";
import { cardRows } from "../styles/card-rows.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-table-scroll.ts";

const TokenListSchema = z.object({ tokens: z.array(AgentTokenSchema) });

/**
 * Admin: agent tokens for CI jobs and remote workers — create (name, optional expiry) with the
 * secret shown once, list with expiry and an expired badge, revoke. Expired tokens stay listed
 * until revoked: removal is an admin's (audited) act, never a silent one.
 */
@customElement("pw-agent-tokens")
export class PwAgentTokens extends LitElement {
  static override styles = [
    sharedStyles,
    adminStyles,
    // Five columns squeezed the dates to "neve|r" at 390 px: on a phone each token is a card.
    cardRows("table"),
    css`
      .secret {
        margin-top: 0.75rem;
        padding: 0.75rem;
        border: 1px solid var(--pw-border, #8884);
        border-radius: 6px;
      }
      .secret code {
        overflow-wrap: anywhere;
        user-select: all;
      }
    `,
  ];

  @state() private message = "";
  /** The token just created: shown until the admin dismisses it or creates another. */
  @state() private secret: { name: string; token: string } | null = null;

  private readonly list = new ApiTask<AgentTokenView[]>(this, {
    task: async (signal) => TokenListSchema.parse(await hub.get("/agent-tokens", undefined, signal)).tokens,
    refreshMs: 60_000,
  });

  override render() {
    const tokens = this.list.value ?? [];
    return html`<section class="panel" aria-labelledby="agent-tokens-title">
      <h2 id="agent-tokens-title">Agent tokens</h2>
      <p class="muted">For a CI job or a remote worker reporting to this hub (Authorization: Bearer …).</p>
      ${this.list.error ? html`<p class="error-text">${this.list.error.message}</p>` : null}
      ${this.secret ? this.secretBox(this.secret) : null}
      ${
        tokens.length > 0
          ? html`<pw-table-scroll label="Agent tokens"><table data-testid="agent-tokens-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              ${tokens.map((t) => this.row(t))}
            </tbody>
          </table></pw-table-scroll>`
          : html`<p class="muted" data-testid="no-agent-tokens">No agent tokens created here yet.</p>`
      }
      <form @submit=${this.create}>
        <label>Name <input name="name" required maxlength="100" /></label>
        <label>Expires (optional) <input name="expiresAt" type="date" /></label>
        <button class="primary" type="submit">Create token</button>
      </form>
      ${this.message ? html`<p role="status">${this.message}</p>` : null}
    </section>`;
  }

  private secretBox(secret: { name: string; token: string }) {
    return html`<div class="secret" data-testid="new-token">
      <p>
        <strong>Copy the token for ${secret.name} now:</strong> the hub keeps only a hash and cannot show it
        again.
      </p>
      <p><code>${secret.token}</code></p>
      <button @click=${() => void this.copy(secret.token)}>Copy</button>
      <button @click=${() => (this.secret = null)}>Done, hide it</button>
    </div>`;
  }

  private row(t: AgentTokenView) {
    return html`<tr>
      <td class="name">
        ${breakable(t.name)}${t.createdBy ? html` <span class="muted">by ${breakable(t.createdBy)}</span>` : null}
      </td>
      <td data-label="Created">${formatTime(Date.parse(t.createdAt))}</td>
      <td data-label="Last used">${t.lastUsedAt ? formatTime(Date.parse(t.lastUsedAt)) : "never"}</td>
      <td data-label="Expires">
        ${t.expiresAt ? formatTime(Date.parse(t.expiresAt)) : "never"}
        ${t.expired ? html`<span class="badge failed">expired</span>` : null}
      </td>
      <td>
        <button class="danger" aria-label=${`Revoke ${t.name}`} @click=${() => void this.revoke(t)}>Revoke</button>
      </td>
    </tr>`;
  }

  private async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get("name") ?? "");
    const expires = String(data.get("expiresAt") ?? "");
    await this.change(`Created ${name}.`, async () => {
      const created = (await hub.post("/agent-tokens", {
        name,
        // A date means "through that day" in the admin's time zone, as for users.
        ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}),
      })) as { name: string; token: string };
      this.secret = { name: created.name, token: created.token };
      form.reset();
    });
  }

  private revoke(t: AgentTokenView): Promise<void> {
    return this.change(`Revoked ${t.name}.`, () => hub.delete(`/agent-tokens/${encodeURIComponent(t.id)}`));
  }

  private async copy(token: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(token);
      this.message = "Copied to the clipboard.";
    } catch {
      this.message = "The browser refused the clipboard: select the token and copy it by hand.";
    }
  }

  private async change(done: string, action: () => Promise<unknown>): Promise<void> {
    this.message = await act(done, action);
    await this.list.run();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-agent-tokens": PwAgentTokens;
  }
}
