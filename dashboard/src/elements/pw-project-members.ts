import { html, LitElement } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { ProjectMemberView } from "../../../core/api/projects.ts";
import { act } from "../api/act.ts";
import { ApiError } from "../api/api-error.ts";
import { hub } from "../api/hub-client.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { adminStyles } from "../styles/admin.ts";
import { sharedStyles } from "../styles/shared.ts";
import { emailAndRoleFields, removeCell, roleCell } from "./admin-cells.ts";
import "./pw-table-scroll.ts";

type Member = ProjectMemberView & { userId: string };

/**
 * One project's members and their roles in it: list, add an existing user by email with a role
 * (or change a member's role), remove. For instance admins (any project, under Admin → Projects)
 * and a project's own admins. Every change is audited by the hub.
 */
@customElement("pw-project-members")
export class PwProjectMembers extends LitElement {
  static override styles = [sharedStyles, adminStyles];

  /** The project's slug. */
  @property() project = "default";
  /** The signed-in user's email: they cannot remove themselves. */
  @property() self = "";
  @state() private message = "";

  private readonly members = new ApiTask<Member[]>(this, {
    task: async (signal) =>
      (
        (await hub.get(`/projects/${encodeURIComponent(this.project)}/members`, undefined, signal)) as {
          members: Member[];
        }
      ).members,
    args: () => [this.project],
  });

  override render() {
    return html`${this.members.error ? html`<p class="error-text" data-testid="members-error">${this.errorText(this.members.error)}</p>` : null}
      <pw-table-scroll label="Members"><table data-testid="project-members">
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role in ${this.project}</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          ${(this.members.value ?? []).map((m) => this.row(m))}
        </tbody>
      </table></pw-table-scroll>
      <form @submit=${this.add}>
        ${emailAndRoleFields("Member role")}
        <button class="primary" type="submit">Add member</button>
      </form>
      <p class="muted">Adds a user who already has an account; an instance admin creates accounts under Users.</p>
      ${this.message ? html`<p role="status">${this.message}</p>` : null}`;
  }

  /** The hub's reason with what failed: "Members of acme: needs the admin role in acme". */
  private errorText(error: Error): string {
    const status = error instanceof ApiError ? ` (${error.status})` : "";
    return `Members of ${this.project} could not be loaded${status}: ${error.message}`;
  }

  private row(m: Member) {
    const self = m.email === this.self;
    return html`<tr>
      <td>${m.email}</td>
      ${roleCell(`Role of ${m.email} in ${this.project}`, m.role, self, (role) => void this.setRole(m.email, role))}
      ${removeCell(m.email, self, () => void this.removeMember(m))}
    </tr>`;
  }

  private path(): string {
    return `/projects/${encodeURIComponent(this.project)}/members`;
  }

  private async add(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const email = String(data.get("email") ?? "");
    const role = String(data.get("role") ?? "viewer");
    await this.change(`${email} is ${role} in ${this.project}.`, async () => {
      await hub.put(this.path(), { email, role });
      form.reset();
    });
  }

  private setRole(email: string, role: string): Promise<void> {
    return this.change(`${email} is ${role} in ${this.project}.`, () =>
      hub.put(this.path(), { email, role }),
    );
  }

  private removeMember(m: Member): Promise<void> {
    return this.change(`Removed ${m.email} from ${this.project}.`, () =>
      hub.delete(`${this.path()}/${encodeURIComponent(m.userId)}`),
    );
  }

  private async change(done: string, action: () => Promise<unknown>): Promise<void> {
    this.message = await act(done, action);
    await this.members.run();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-project-members": PwProjectMembers;
  }
}
