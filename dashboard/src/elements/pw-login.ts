import { css, html, LitElement } from "lit";
import { customElement, query, state } from "lit/decorators.js";
import { ApiError } from "../api/api-error.ts";
import { hub } from "../api/hub-client.ts";
import { sharedStyles } from "../styles/shared.ts";

/**
 * Login with a one-time code: ask for a code by email, then type the code. In embedded mode the
 * hub prints the code on its console instead of mailing it.
 *
 * @fires pw-login - the session cookie is set; the app reloads who is logged in
 */
@customElement("pw-login")
export class PwLogin extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        max-width: 26rem;
        margin: 10vh auto;
      }
      form {
        display: grid;
        gap: 0.8rem;
      }
      label {
        display: grid;
      }
      input {
        font-size: 1.05rem;
      }
    `,
  ];

  @state() private challengeId: string | undefined;
  @state() private email = "";
  @state() private error = "";
  @state() private busy = false;
  @query("input") private input!: HTMLInputElement;

  override render() {
    return html`<section class="panel" aria-labelledby="login-title">
      <h1 id="login-title">Log in to Peakwatch</h1>
      ${this.challengeId ? this.codeForm() : this.emailForm()}
      ${this.error ? html`<p class="error-text" role="alert">${this.error}</p>` : null}
    </section>`;
  }

  private emailForm() {
    return html`<form @submit=${this.requestCode}>
      <label>Email <input name="email" type="email" autocomplete="username" required .value=${this.email} /></label>
      <button class="primary" type="submit" ?disabled=${this.busy}>Send me a code</button>
    </form>`;
  }

  private codeForm() {
    return html`<form @submit=${this.verify}>
      <p class="muted">
        A one-time code is on its way to ${this.email}. Running embedded? The hub prints it on its console.
      </p>
      <label
        >Code
        <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6,10}" required />
      </label>
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this.busy}>Log in</button>
        <button type="button" @click=${this.restart}>Use another email</button>
      </div>
    </form>`;
  }

  private async requestCode(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    this.email = (form.elements.namedItem("email") as HTMLInputElement).value.trim();
    await this.attempt(async () => {
      const { challengeId } = await hub.post<{ challengeId: string }>("/auth/otp/request", {
        email: this.email,
      });
      this.challengeId = challengeId;
      await this.updateComplete;
      this.input.focus();
    });
  }

  private async verify(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const code = (form.elements.namedItem("code") as HTMLInputElement).value.trim();
    await this.attempt(async () => {
      await hub.post("/auth/otp/verify", { challengeId: this.challengeId, code });
      this.dispatchEvent(new CustomEvent("pw-login", { bubbles: true, composed: true }));
    });
  }

  private restart(): void {
    this.challengeId = undefined;
    this.error = "";
  }

  private async attempt(action: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = "";
    try {
      await action();
    } catch (error) {
      this.error = error instanceof ApiError ? error.message : "The hub could not be reached.";
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-login": PwLogin;
  }
}
