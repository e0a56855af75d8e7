import { css, html, LitElement } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { ProjectView } from "../../../core/api/projects.ts";
import { chooseProject } from "../api/project.ts";

/**
 * The project switcher in the header: shown only to users of more than one project. Choosing one
 * reloads the page in it (requests carry it in x-peakwatch-project, the live socket in ?project=).
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
            html`<option value=${p.slug} ?selected=${p.slug === this.current}>${p.name} (${p.role})</option>`,
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
