import { css, html, LitElement } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { ApiError } from "../api/api-error.ts";
import { hub } from "../api/hub-client.ts";
import { roles } from "../api/roles.ts";
import { listOf, type Me, type User } from "../api/types.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { formatTime } from "../format.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-agent-tokens.ts";
import "./pw-audit-log.ts";
import "./pw-backups.ts";
import "./pw-channels.ts";
import "./pw-projects.ts";

/** Admin: users and their roles (add, change role, remove), and the notification channels (pw-channels). */
@customElement("pw-admin")
export class PwAdmin extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      form {
        display: flex;
        gap: 0.75rem;
        align-items: flex-end;
        flex-wrap: wrap;
        margin-top: 1rem;
      }
    `,
  ];

  @property({ attribute: false }) me: Me | undefined;
  @state() private message = "";

  private readonly users = new ApiTask(this, {
    task: async (signal) => listOf<User>(await hub.get("/users", undefined, signal), "users"),
  });

  override render() {
    return html`<h1>Admin</h1>
      ${this.message ? html`<p role="status">${this.message}</p>` : null}
      <section class="panel" aria-labelledby="users-title">
        <h2 id="users-title">Users</h2>
        ${this.users.error ? html`<p class="error-text">${this.users.error.message}</p>` : null}
        <table data-testid="users-table">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Expires</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            ${(this.users.value ?? []).map((u) => this.userRow(u))}
          </tbody>
        </table>
        <form @submit=${this.addUser}>
          <label>Email <input name="email" type="email" required /></label>
          <label
            >Role
            <select name="role" aria-label="Role">
              ${roles.map((r) => html`<option ?selected=${r === "viewer"}>${r}</option>`)}
            </select></label
          >
          <label>Expires (optional) <input name="expiresAt" type="date" /></label>
          <button class="primary" type="submit">Add user</button>
        </form>
      </section>
      <pw-projects></pw-projects>
      <pw-agent-tokens></pw-agent-tokens>
      <pw-channels></pw-channels>
      <pw-backups></pw-backups>
      <pw-audit-log></pw-audit-log>`;
  }

  private userRow(u: User) {
    const self = u.email === this.me?.email;
    const expires = typeof u.expiresAt === "string" ? Date.parse(u.expiresAt) : u.expiresAt;
    return html`<tr>
      <td>${u.email}</td>
      <td>
        <label class="inline"
          ><span class="visually-hidden">Role of ${u.email}</span>
          <select ?disabled=${self} @change=${(e: Event) => void this.setRole(u, (e.target as HTMLSelectElement).value)}>
            ${roles.map((r) => html`<option ?selected=${r === u.role}>${r}</option>`)}
          </select></label
        >
      </td>
      <td>${expires ? formatTime(expires) : "never"}</td>
      <td>
        ${
          self
            ? html`<span class="muted">you</span>`
            : html`<button class="danger" @click=${() => void this.removeUser(u)} aria-label=${`Remove ${u.email}`}>
              Remove
            </button>`
        }
      </td>
    </tr>`;
  }

  private async addUser(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const expires = String(data.get("expiresAt") ?? "");
    await this.act(`Added ${data.get("email")}.`, async () => {
      await hub.post("/users", {
        email: String(data.get("email")),
        role: String(data.get("role")),
        ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}),
      });
      form.reset();
    });
  }

  private setRole(u: User, role: string): Promise<void> {
    return this.act(`${u.email} is now ${role}.`, () =>
      hub.patch(`/users/${encodeURIComponent(u.id)}`, { role }),
    );
  }

  private removeUser(u: User): Promise<void> {
    return this.act(`Removed ${u.email}.`, () => hub.delete(`/users/${encodeURIComponent(u.id)}`));
  }

  private async act(done: string, action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
      this.message = done;
    } catch (error) {
      this.message =
        error instanceof ApiError ? `Failed: ${error.message}` : "Failed: the hub could not be reached.";
    }
    await this.users.run();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-admin": PwAdmin;
  }
}
