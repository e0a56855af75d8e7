import { css, html, LitElement } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { ProjectView } from "../../../core/api/projects.ts";
import { chooseProject } from "../api/project.ts";

/**
 * The project switcher in the header: a choice for users of more than one project (by name: the
 * role in the chosen one shows beside the user's email, and in each option's title), the project's
 * name for a member of one other than default, nothing for a default-only user (the
 * single-project experience). Choosing one reloads the page in it (requests carry it in
 * x-peakwatch-project, the live socket in ?project=).
 */
@customElement("pw-project-switcher")
export class PwProjectSwitcher extends LitElement {
  static override styles = css`
    select {
      font: inherit;
    }
  `;

  /** The caller's projects (GET /api/v1/projects). */
  @property({ attribute: false }) projects: ReadonlyArray<ProjectView> = [];
  /** The slug of the project the page works in. */
  @property() current = "default";

  override render() {
    const [only] = this.projects;
    if (this.projects.length === 1 && only && only.slug !== "default")
      return html`<span data-testid="project-switcher">Project ${only.name} (${only.role})</span>`;
    if (this.projects.length <= 1) return null;
    return html`<label
      >Project
      <select
        data-testid="project-switcher"
        aria-label="Project"
        @change=${(e: Event) => chooseProject((e.target as HTMLSelectElement).value)}
      >
        ${this.projects.map(
          (p) =>
            html`<option value=${p.slug} title=${`your role: ${p.role}`} ?selected=${p.slug === this.current}>
              ${p.name}
            </option>`,
        )}
      </select></label
    >`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-project-switcher": PwProjectSwitcher;
  }
}
