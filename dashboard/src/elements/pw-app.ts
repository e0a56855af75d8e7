import { css, html, LitElement, type TemplateResult } from "lit";
import { customElement, state } from "lit/decorators.js";
import { hub } from "../api/hub-client.ts";
import { atLeast, type Role } from "../api/roles.ts";
import type { Me } from "../api/types.ts";
import { type LiveStatus, liveConnection } from "../live/live-connection.ts";
import { parseRoute, type Route, routeHref, type View } from "../router.ts";
import { sharedStyles } from "../styles/shared.ts";
import { applyTheme, effectiveTheme } from "../theme.ts";
import "./pw-admin.ts";
import "./pw-alert-notice.ts";
import "./pw-alerts.ts";
import "./pw-compare.ts";
import "./pw-control.ts";
import "./pw-history.ts";
import "./pw-live-run.ts";
import "./pw-login.ts";
import "./pw-project-switcher.ts";
import "./pw-probes.ts";
import "./pw-run-detail.ts";
import "./pw-summary.ts";
import type { ProjectView } from "../../../core/api/projects.ts";
import { chooseProject, chosenAmong, currentProject } from "../api/project.ts";

/** localStorage key: set at login, cleared at logout or on any 401. */
const SESSION_HINT = "pw-session";

interface NavItem {
  view: View;
  label: string;
  least: Role;
}

const nav: NavItem[] = [
  { view: "summary", label: "Summary", least: "viewer" },
  { view: "live", label: "Live run", least: "viewer" },
  { view: "control", label: "Control", least: "viewer" },
  { view: "history", label: "History", least: "viewer" },
  { view: "probes", label: "Probes", least: "viewer" },
  { view: "alerts", label: "Alerts", least: "viewer" },
  { view: "admin", label: "Admin", least: "admin" },
];

/**
 * The application shell: session, hash routing, navigation by role, theme toggle, the live
 * connection's status and the new-alert notice. Each view is its own element.
 */
@customElement("pw-app")
export class PwApp extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        grid-template-rows: auto auto 1fr;
        /* minmax(0, …): a wide table inside a view must not widen the page past the screen. */
        grid-template-columns: minmax(0, 1fr);
        min-height: 100vh;
      }
      /* Brand, navigation, project, user and two buttons fit one line at 1366 px with a long email. */
      header {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        padding: 0.5rem 1rem;
        background: var(--pw-surface);
        border-bottom: 1px solid var(--pw-border);
        flex-wrap: wrap;
      }
      .brand {
        font-weight: 700;
        font-size: 1.1rem;
        color: var(--pw-text);
        text-decoration: none;
      }
      nav {
        min-width: 0;
        max-width: 100%;
      }
      nav ul {
        display: flex;
        gap: 0.25rem;
        list-style: none;
        margin: 0;
        padding: 0;
        flex-wrap: wrap;
      }
      nav a {
        display: block;
        padding: 0.35rem 0.7rem;
        border-radius: var(--pw-radius);
        color: var(--pw-text);
        text-decoration: none;
      }
      nav a[aria-current="page"] {
        background: var(--pw-accent);
        color: var(--pw-accent-text);
      }
      .spacer {
        flex: 1;
      }
      .who {
        overflow-wrap: anywhere;
        min-width: 0;
      }
      @media (max-width: 600px) {
        header {
          gap: 0.5rem;
          padding: 0.5rem;
        }
        nav a {
          padding: 0.3rem 0.5rem;
        }
        .spacer {
          display: none;
        }
        main {
          padding: 0.5rem;
        }
        /* The alert notices stand in the page between the header and the view (pw-alert-notice). */
        :host {
          grid-template-rows: auto auto auto 1fr;
        }
      }
      .status {
        padding: 0.35rem 1rem;
        background: var(--pw-warn-bg);
        color: var(--pw-warn);
        border-bottom: 1px solid var(--pw-border);
      }
      main {
        padding: 1rem;
        max-width: 1400px;
        width: 100%;
        box-sizing: border-box;
        margin: 0 auto;
      }
      .skip {
        position: absolute;
        left: -999px;
      }
      .skip:focus {
        left: 1rem;
        top: 0.5rem;
        z-index: 10;
        background: var(--pw-surface);
        padding: 0.5rem;
      }
    `,
  ];

  @state() private me: Me | undefined;
  @state() private projects: ProjectView[] = [];
  @state() private checked = false;
  @state() private route: Route = parseRoute(location.hash);
  @state() private liveStatus: LiveStatus = "closed";
  @state() private theme = effectiveTheme();

  private readonly onHash = () => {
    this.route = parseRoute(location.hash);
  };
  private stopStatus: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("hashchange", this.onHash);
    hub.onUnauthenticated = () => this.signedOut();
    this.stopStatus = liveConnection().onStatus((status) => {
      this.liveStatus = status;
    });
    void this.loadMe();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("hashchange", this.onHash);
    this.stopStatus?.();
  }

  private async loadMe(): Promise<void> {
    // The session cookie is HttpOnly, so a hint remembers whether one may exist: a first visit
    // goes straight to the login form instead of asking the hub and logging a 401.
    if (!localStorage.getItem(SESSION_HINT)) {
      this.checked = true;
      return;
    }
    try {
      // /auth/me is instance-wide: its role is the instance role.
      const me = await hub.get<Omit<Me, "instanceRole">>("/auth/me");
      hub.csrfToken = me.csrfToken;
      // The role that counts is the one in the chosen project (instance admins are admin everywhere).
      const { projects } = await hub.get<{ projects: ProjectView[] }>("/projects");
      const project = chosenAmong(projects);
      // The page reloads in the project it may work in: no socket or view in the wrong one meanwhile.
      const slug = project?.slug ?? "default";
      if (slug !== (currentProject() ?? "default")) {
        chooseProject(slug);
        return;
      }
      this.projects = projects;
      this.me = { ...me, role: project?.role ?? me.role, instanceRole: me.role };
      liveConnection().start();
      this.checked = true;
    } catch {
      this.me = undefined;
      this.checked = true;
    }
  }

  private signedOut(): void {
    localStorage.removeItem(SESSION_HINT);
    this.me = undefined;
    hub.csrfToken = undefined;
    liveConnection().stop();
  }

  private readonly loggedIn = () => {
    localStorage.setItem(SESSION_HINT, "1");
    void this.loadMe();
  };

  private async logout(): Promise<void> {
    try {
      await hub.post("/auth/logout");
    } finally {
      this.signedOut();
      location.hash = routeHref("summary");
    }
  }

  private toggleTheme(): void {
    this.theme = this.theme === "dark" ? "light" : "dark";
    applyTheme(this.theme);
  }

  override render() {
    if (!this.checked) return html`<main aria-busy="true"><p class="muted">Loading…</p></main>`;
    if (!this.me) {
      return html`<main>
        <pw-login @pw-login=${this.loggedIn}></pw-login>
      </main>`;
    }
    const me = this.me;
    return html`
      <a class="skip" href="#main" @click=${this.skipToMain}>Skip to content</a>
      <header>
        <a class="brand" href=${routeHref("summary")}>Peakwatch</a>
        <nav aria-label="Main">
          <ul>
            ${nav
              .filter((item) => atLeast(me.role, item.least))
              .map(
                (item) => html`<li>
                  <a href=${routeHref(item.view)} aria-current=${this.current(item.view) ? "page" : "false"}
                    >${item.label}</a
                  >
                </li>`,
              )}
          </ul>
        </nav>
        <span class="spacer"></span>
        <pw-project-switcher .projects=${this.projects} current=${currentProject() ?? "default"}></pw-project-switcher>
        <span class="muted who" data-testid="whoami">${me.email} (${me.role})</span>
        <button @click=${this.toggleTheme} aria-label=${`Switch to ${this.theme === "dark" ? "light" : "dark"} theme`}>
          ${this.theme === "dark" ? "Light" : "Dark"}
        </button>
        <button @click=${() => void this.logout()}>Log out</button>
      </header>
      ${
        this.liveStatus === "reconnecting"
          ? html`<div class="status" role="status" data-testid="live-status">Connection to the hub lost, reconnecting…</div>`
          : html`<div role="status" class="visually-hidden" data-testid="live-status" data-state=${this.liveStatus}>
              live ${this.liveStatus}
            </div>`
      }
      <pw-alert-notice></pw-alert-notice>
      <main id="main" tabindex="-1">${
        this.route.unknown === undefined
          ? null
          : html`<p class="status" role="status" data-testid="unknown-route">
              No page at #/${this.route.unknown}; showing the Summary.
            </p>`
      }${this.view(me)}</main>
    `;
  }

  private skipToMain(event: Event): void {
    event.preventDefault();
    this.renderRoot.querySelector<HTMLElement>("main")?.focus();
  }

  private current(view: View): boolean {
    const v = this.route.view;
    return v === view || (view === "history" && (v === "run" || v === "compare"));
  }

  private view(me: Me) {
    return viewTemplates[this.route.view](me, this.route, chosenAmong(this.projects));
  }
}

/** Each view's template, by route: one entry per view, no if-chain. */
const viewTemplates: Record<View, (me: Me, route: Route, project?: ProjectView) => TemplateResult> = {
  summary: () => html`<pw-summary></pw-summary>`,
  live: (me, { id }) => html`<pw-live-run .runId=${id} .me=${me}></pw-live-run>`,
  control: (me) => html`<pw-control .me=${me}></pw-control>`,
  history: () => html`<pw-history></pw-history>`,
  run: (_me, { id }) => html`<pw-run-detail .runId=${id}></pw-run-detail>`,
  compare: (_me, { query }) =>
    html`<pw-compare .a=${query.get("a") ?? ""} .b=${query.get("b") ?? ""}></pw-compare>`,
  probes: (me) => html`<pw-probes .me=${me}></pw-probes>`,
  alerts: (me) => html`<pw-alerts .me=${me}></pw-alerts>`,
  admin: (me, _route, project) =>
    atLeast(me.role, "admin")
      ? html`<pw-admin .me=${me} .project=${project}></pw-admin>`
      : html`<p>Admins only.</p>`,
  login: (me) => html`<p>You are logged in as ${me.email}.</p>`,
};

declare global {
  interface HTMLElementTagNameMap {
    "pw-app": PwApp;
  }
}
