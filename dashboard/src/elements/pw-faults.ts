import { css, html, LitElement } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { FaultName, FaultState } from "../../../core/faults.ts";
import { ApiError } from "../api/api-error.ts";
import { hub } from "../api/hub-client.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { formatTime } from "../format.ts";
import { sharedStyles } from "../styles/shared.ts";

/**
 * What each switch does, in words for the person about to flip it. Typed as a Record over
 * core's FaultName, so tsc fails when the shop adds a switch this list lacks; the list is
 * restated rather than imported to keep zod out of the browser bundle.
 */
const descriptions: Record<FaultName, string> = {
  latency: "Adds latency to requests",
  errors: "Answers a share of requests with an HTTP error",
  payment_failure: "Declines a percentage of payments (402)",
  payment_unreachable: "Payment provider never answers; checkouts time out",
  failing_product: "One product's page fails",
  slow_db: "Delays every database request",
  cpu_burn: "Burns CPU on every request",
  memory_leak: "Retains memory on every request",
  readiness: "Fails the shop's readiness check",
};
const faultNames = Object.keys(descriptions) as FaultName[];

/**
 * The shop's fault switches through the hub's /faults proxy: state for everyone, on/off and
 * an optional expiry for ops. Parameters keep the shop's defaults (core/faults.ts).
 */
@customElement("pw-faults")
export class PwFaults extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .switch {
        display: inline-flex;
        gap: 0.4rem;
        align-items: center;
      }
      input[type="number"] {
        width: 5rem;
      }
      th .muted {
        font-weight: normal;
      }
    `,
  ];

  /** Ops may switch; everyone else sees the state read-only. */
  @property({ type: Boolean }) canSwitch = false;
  @state() private message = "";
  @state() private expiry: Record<string, number> = {};

  private readonly faults = new ApiTask(this, {
    task: async (signal) =>
      (await hub.get<{ faults: Partial<Record<FaultName, FaultState>> }>("/faults", undefined, signal))
        .faults ?? {},
    refreshMs: 10_000,
  });

  override render() {
    const states = this.faults.value ?? {};
    return html`<section class="panel" aria-labelledby="faults-title">
      <h2 id="faults-title">Shop fault switches</h2>
      ${this.faults.error ? html`<p class="error-text">${this.faults.error.message}</p>` : null}
      ${this.message ? html`<p role="status" data-testid="faults-message">${this.message}</p>` : null}
      <table data-testid="faults-table">
        <thead>
          <tr>
            <th scope="col">Fault</th>
            <th scope="col">State</th>
            <th scope="col">Parameters</th>
            ${this.canSwitch ? html`<th scope="col">Switch</th>` : null}
          </tr>
        </thead>
        <tbody>
          ${faultNames.map((name) => this.row(name, states[name]))}
        </tbody>
      </table>
    </section>`;
  }

  private row(name: FaultName, state: FaultState | undefined) {
    const on = state?.enabled ?? false;
    const known = this.faults.value !== undefined;
    return html`<tr data-fault=${name}>
      <th scope="row"><code>${name}</code><div class="muted">${descriptions[name]}</div></th>
      <td>
        ${
          known
            ? html`<span class="badge ${on ? "firing" : "resolved"}">${on ? "on" : "off"}</span>`
            : html`<span class="badge unknown">unknown</span>`
        }
        ${state?.expiresAt ? html`<div class="muted">until ${formatTime(Date.parse(state.expiresAt))}</div>` : null}
      </td>
      <td class="muted">
        ${
          on && state
            ? Object.entries(state.params)
                .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
                .join(", ")
            : ""
        }
      </td>
      ${
        this.canSwitch
          ? html`<td>
            <span class="switch">
              <button
                class=${on ? "" : "danger"}
                aria-pressed=${String(on)}
                aria-label=${`${on ? "Switch off" : "Switch on"} ${name}`}
                @click=${() => void this.toggle(name, !on)}
              >
                ${on ? "Switch off" : "Switch on"}
              </button>
              ${
                on
                  ? null
                  : html`<label class="inline"
                    >for
                    <input
                      type="number"
                      min="0"
                      step="1"
                      placeholder="∞"
                      aria-label=${`${name} expires after minutes`}
                      @input=${(e: Event) =>
                        (this.expiry = {
                          ...this.expiry,
                          [name]: Number((e.target as HTMLInputElement).value),
                        })}
                    />
                    min</label
                  >`
              }
            </span>
          </td>`
          : null
      }
    </tr>`;
  }

  private async toggle(name: FaultName, enable: boolean): Promise<void> {
    try {
      if (enable) {
        const minutes = this.expiry[name];
        await hub.put(`/faults/${name}`, {
          enabled: true,
          ...(minutes && minutes > 0 ? { expiresInSeconds: Math.round(minutes * 60) } : {}),
        });
      } else {
        await hub.delete(`/faults/${name}`);
      }
      this.message = `${name} switched ${enable ? "on" : "off"}.`;
    } catch (error) {
      this.message =
        error instanceof ApiError ? `Failed: ${error.message}` : "Failed: the hub could not be reached.";
    }
    await this.faults.run();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-faults": PwFaults;
  }
}
