import { css, html, LitElement } from "lit";
import { customElement, state } from "lit/decorators.js";
import type { ProjectMemberView, ProjectView } from "../../../core/api/projects.ts";
import { ApiError } from "../api/api-error.ts";
import { hub } from "../api/hub-client.ts";
import { roles } from "../api/roles.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { sharedStyles } from "../styles/shared.ts";

/**
 * Admin (instance admins): projects — create one (slug and name), pick one to see its members,
 * add a member by email with a role in that project, or remove one. Every change is audited.
 */
@customElement("pw-projects")
export class PwProjects extends LitElement {
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

  @state() private message = "";
  @state() private selected = "default";

  private readonly projects = new ApiTask<ProjectView[]>(this, {
    task: async (signal) =>
      ((await hub.get("/projects", undefined, signal)) as { projects: ProjectView[] }).projects,
  });

  private readonly members = new ApiTask<Array<ProjectMemberView & { userId: string }>>(this, {
    task: async (signal) =>
      (
        (await hub.get(`/projects/${encodeURIComponent(this.selected)}/members`, undefined, signal)) as {
          members: Array<ProjectMemberView & { userId: string }>;
        }
      ).members,
  });

  override render() {
    const projects = this.projects.value ?? [];
    return html`<section class="panel" aria-labelledby="projects-title">
      <h2 id="projects-title">Projects</h2>
      <p class="muted">
        Each project's runs, probes, alerts and agent tokens are visible to its members only. Requests pick a
        project with the <code>X-Peakwatch-Project</code> header (or <code>?project=</code>).
      </p>
      ${this.projects.error ? html`<p class="error-text">${this.projects.error.message}</p>` : null}
      <form @submit=${this.create}>
        <label>Slug <input name="slug" required pattern="[a-z0-9][a-z0-9-]{0,39}" maxlength="40" /></label>
        <label>Name <input name="name" required maxlength="100" /></label>
        <button class="primary" type="submit">Create project</button>
      </form>
      <form @submit=${(e: Event) => e.preventDefault()}>
        <label
          >Members of
          <select aria-label="Project" data-testid="members-project" @change=${this.pick}>
            ${projects.map((p) => html`<option value=${p.slug} ?selected=${p.slug === this.selected}>${p.name}</option>`)}
          </select></label
        >
      </form>
      <table data-testid="project-members">
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role in ${this.selected}</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          ${(this.members.value ?? []).map(
            (m) => html`<tr>
              <td>${m.email}</td>
              <td>${m.role}</td>
              <td>
                <button class="danger" aria-label=${`Remove ${m.email}`} @click=${() => void this.removeMember(m.userId, m.email)}>
                  Remove
                </button>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
      <form @submit=${this.addMember}>
        <label>Email <input name="email" type="email" required /></label>
        <label
          >Role
          <select name="role" aria-label="Member role">
            ${roles.map((r) => html`<option ?selected=${r === "viewer"}>${r}</option>`)}
          </select></label
        >
        <button class="primary" type="submit">Add member</button>
      </form>
      ${this.message ? html`<p role="status">${this.message}</p>` : null}
    </section>`;
  }

  private pick(event: Event): void {
    this.selected = (event.target as HTMLSelectElement).value;
    void this.members.run();
  }

  private async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const slug = String(data.get("slug") ?? "");
    await this.act(`Created project ${slug}.`, async () => {
      await hub.post("/projects", { slug, name: String(data.get("name") ?? "") });
      form.reset();
      this.selected = slug;
    });
  }

  private async addMember(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const email = String(data.get("email") ?? "");
    const role = String(data.get("role") ?? "viewer");
    await this.act(`${email} is ${role} in ${this.selected}.`, async () => {
      await hub.put(`/projects/${encodeURIComponent(this.selected)}/members`, { email, role });
      form.reset();
    });
  }

  private removeMember(userId: string, email: string): Promise<void> {
    return this.act(`Removed ${email} from ${this.selected}.`, () =>
      hub.delete(`/projects/${encodeURIComponent(this.selected)}/members/${encodeURIComponent(userId)}`),
    );
  }

  private async act(done: string, action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
      this.message = done;
    } catch (error) {
      this.message =
        error instanceof ApiError ? `Failed: ${error.message}` : "Failed: the hub could not be reached.";
    }
    await this.projects.run();
    await this.members.run();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-projects": PwProjects;
  }
}
