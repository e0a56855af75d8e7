import { html, LitElement } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { ProjectView } from "../../../core/api/projects.ts";
import type { Me } from "../api/types.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-agent-tokens.ts";
import "./pw-audit-log.ts";
import "./pw-backups.ts";
import "./pw-channels.ts";
import "./pw-project-members.ts";
import "./pw-projects.ts";
import "./pw-users.ts";

/**
 * Admin. An instance admin gets the whole hub: users, projects and their members, backups and
 * the audit log, besides the page's project's agent tokens and channels. A project's admin gets
 * what is the project's: its members, agent tokens and channels (the instance routes would
 * answer them 403).
 */
@customElement("pw-admin")
export class PwAdmin extends LitElement {
  static override styles = [sharedStyles];

  @property({ attribute: false }) me: Me | undefined;
  /** The project the page works in. */
  @property({ attribute: false }) project: ProjectView | undefined;

  override render() {
    const email = this.me?.email ?? "";
    if (this.me?.instanceRole === "admin")
      return html`<h1>Admin</h1>
        <pw-users self=${email}></pw-users>
        <pw-projects self=${email}></pw-projects>
        <pw-agent-tokens></pw-agent-tokens>
        <pw-channels></pw-channels>
        <pw-backups></pw-backups>
        <pw-audit-log></pw-audit-log>`;
    const project = this.project;
    return html`<h1>Admin of ${project?.name ?? "this project"}</h1>
      <section class="panel" aria-labelledby="members-title">
        <h2 id="members-title">Members of ${project?.name ?? "this project"}</h2>
        <p class="muted">
          Who may see this project and with what role. Users, other projects, backups and the audit log are the
          instance admins'.
        </p>
        <pw-project-members project=${project?.slug ?? "default"} self=${email}></pw-project-members>
      </section>
      <pw-agent-tokens></pw-agent-tokens>
      <pw-channels></pw-channels>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-admin": PwAdmin;
  }
}
