import { html, LitElement } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { act } from "../api/act.ts";
import { hub } from "../api/hub-client.ts";
import { listOf, type User } from "../api/types.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { formatTime } from "../format.ts";
import { breakable } from "../format-breaks.ts";
import { adminStyles } from "../styles/admin.ts";
import { sharedStyles } from "../styles/shared.ts";
import { emailAndRoleFields, removeCell, roleCell } from "./admin-cells.ts";
import "./pw-table-scroll.ts";

/**
 * Admin (instance admins): the hub's users and their instance roles — add (with an optional
 * expiry), change role, remove. A new user is a member of the default project with that role.
 */
@customElement("pw-users")
export class PwUsers extends LitElement {
  static override styles = [sharedStyles, adminStyles];

  /** The signed-in admin's email: their own role and account cannot be changed from here. */
  @property() self = "";
  @state() private message = "";

  private readonly users = new ApiTask(this, {
    task: async (signal) => listOf<User>(await hub.get("/users", undefined, signal), "users"),
  });

  override render() {
    return html`<section class="panel" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      ${this.users.error ? html`<p class="error-text">${this.users.error.message}</p>` : null}
      <pw-table-scroll label="Users"><table data-testid="users-table">
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Expires</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          ${(this.users.value ?? []).map((u) => this.row(u))}
        </tbody>
      </table></pw-table-scroll>
      <form @submit=${this.add}>
        ${emailAndRoleFields("Role")}
        <label>Expires (optional) <input name="expiresAt" type="date" /></label>
        <button class="primary" type="submit">Add user</button>
      </form>
      ${this.message ? html`<p role="status">${this.message}</p>` : null}
    </section>`;
  }

  private row(u: User) {
    const self = u.email === this.self;
    const expires = typeof u.expiresAt === "string" ? Date.parse(u.expiresAt) : u.expiresAt;
    return html`<tr>
      <td class="name">${breakable(u.email)}</td>
      ${roleCell(`Role of ${u.email}`, u.role, self, (role) => void this.setRole(u, role))}
      <td>
        ${expires ? formatTime(expires) : "never"}
        ${u.expired ? html`<span class="badge failed">expired</span>` : null}
      </td>
      ${removeCell(u.email, self, () => void this.removeUser(u))}
    </tr>`;
  }

  private async add(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const expires = String(data.get("expiresAt") ?? "");
    await this.change(`Added ${data.get("email")}.`, async () => {
      await hub.post("/users", {
        email: String(data.get("email")),
        role: String(data.get("role")),
        // A date means "through that day" in the admin's time zone.
        ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}),
      });
      form.reset();
    });
  }

  private setRole(u: User, role: string): Promise<void> {
    return this.change(`${u.email} is now ${role}.`, () =>
      hub.patch(`/users/${encodeURIComponent(u.id)}`, { role }),
    );
  }

  private removeUser(u: User): Promise<void> {
    return this.change(`Removed ${u.email}.`, () => hub.delete(`/users/${encodeURIComponent(u.id)}`));
  }

  private async change(done: string, action: () => Promise<unknown>): Promise<void> {
    this.message = await act(done, action);
    await this.users.run();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-users": PwUsers;
  }
}
