import { html, LitElement } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { ProjectView } from "../../../core/api/projects.ts";
import { act } from "../api/act.ts";
import { hub } from "../api/hub-client.ts";
import { currentProject } from "../api/project.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { adminStyles } from "../styles/admin.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-project-members.ts";

/**
 * Admin (instance admins): projects — create one (slug and name), pick one to see and manage its
 * members (pw-project-members). Every change is audited.
 */
@customElement("pw-projects")
export class PwProjects extends LitElement {
  static override styles = [sharedStyles, adminStyles];

  /** The signed-in admin's email (they cannot remove themselves from a project). */
  @property() self = "";
  @state() private message = "";
  /** The project whose members are shown: the one the page works in, to start with. */
  @state() private selected = currentProject() ?? "default";

  private readonly projects = new ApiTask<ProjectView[]>(this, {
    task: async (signal) =>
      ((await hub.get("/projects", undefined, signal)) as { projects: ProjectView[] }).projects,
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
        <!-- A "-" in a class is escaped: browsers compile pattern with the v flag, where a bare one is an error. -->
        <label>Slug <input name="slug" required pattern="[a-z0-9][a-z0-9\\-]{0,39}" maxlength="40" /></label>
        <label>Name <input name="name" required maxlength="100" /></label>
        <button class="primary" type="submit">Create project</button>
      </form>
      ${this.message ? html`<p role="status">${this.message}</p>` : null}
      <form @submit=${(e: Event) => e.preventDefault()}>
        <label
          >Members of
          <select aria-label="Project" data-testid="members-project" @change=${this.pick}>
            ${projects.map((p) => html`<option value=${p.slug} ?selected=${p.slug === this.selected}>${p.name}</option>`)}
          </select></label
        >
      </form>
      <pw-project-members project=${this.selected} self=${this.self}></pw-project-members>
    </section>`;
  }

  private pick(event: Event): void {
    this.selected = (event.target as HTMLSelectElement).value;
  }

  private async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const slug = String(data.get("slug") ?? "");
    this.message = await act(`Created project ${slug}.`, async () => {
      await hub.post("/projects", { slug, name: String(data.get("name") ?? "") });
      form.reset();
      this.selected = slug;
    });
    await this.projects.run();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-projects": PwProjects;
  }
}
