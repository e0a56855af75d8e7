import { css, html, LitElement } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { FaultName, FaultState } from "../../../core/faults.ts";
import { ApiError } from "../api/api-error.ts";
import { hub } from "../api/hub-client.ts";
import { ApiTask } from "../controllers/api-task.ts";
import {
  describeParams,
  draftOf,
  type FaultDraft,
  type FaultField,
  faultBody,
  faultFields,
} from "../faults/fault-fields.ts";
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
  cache_flush: "Empties the catalog cache and keeps it cold: every read hits the database",
  stock_out:
    "The hot product sells out: shown 0 in stock, adding it to a cart or checking it out answers 409",
};
const faultNames = Object.keys(descriptions) as FaultName[];

interface Product {
  id: string;
  name: string;
}

/** The outcome of the last attempt on one switch; cleared when the next attempt starts. */
interface Outcome {
  ok: boolean;
  text: string;
}

/**
 * The shop's fault switches through the hub's /faults proxy: state and parameters for everyone;
 * for ops, every parameter editable (latency, error share, product…), on/off, re-apply with new
 * parameters while on, and an optional expiry.
 */
@customElement("pw-faults")
export class PwFaults extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .cards {
        display: grid;
        gap: 0.75rem;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 19rem), 1fr));
      }
      article {
        border: 1px solid var(--pw-border);
        border-radius: var(--pw-radius);
        padding: 0.6rem 0.75rem;
        background: var(--pw-surface);
        min-width: 0;
      }
      article.on {
        border-color: var(--pw-bad);
      }
      .head {
        display: flex;
        gap: 0.5rem;
        align-items: baseline;
        justify-content: space-between;
      }
      code {
        overflow-wrap: anywhere;
      }
      .fields {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin: 0.5rem 0;
      }
      .fields label {
        min-width: 0;
      }
      input[type="number"] {
        width: 6.5rem;
      }
      input.routes,
      select {
        width: 100%;
        max-width: 17rem;
        box-sizing: border-box;
      }
      .fields label.wide {
        flex: 1 1 100%;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
      }
      .outcome {
        margin: 0.4rem 0 0;
        font-size: 0.85rem;
      }
      p.params {
        margin: 0.3rem 0 0;
        font-size: 0.85rem;
        overflow-wrap: anywhere;
      }
    `,
  ];

  /** Ops may switch; everyone else sees the state read-only. */
  @property({ type: Boolean }) canSwitch = false;
  @state() private outcomes: Partial<Record<FaultName, Outcome>> = {};
  @state() private drafts: Partial<Record<FaultName, FaultDraft>> = {};
  @state() private expiry: Partial<Record<FaultName, string>> = {};
  @state() private pending: FaultName | undefined;

  private readonly faults = new ApiTask(this, {
    task: async (signal) =>
      (await hub.get<{ faults: Partial<Record<FaultName, FaultState>> }>("/faults", undefined, signal))
        .faults ?? {},
    refreshMs: 10_000,
  });

  /** Products to pick for failing_product and stock_out: their productId is required. */
  private readonly products = new ApiTask(this, {
    task: async (signal) =>
      this.canSwitch
        ? ((await hub.get<{ products: Product[] }>("/faults/products", undefined, signal)).products ?? [])
        : [],
    args: () => [this.canSwitch],
  });

  override render() {
    const states = this.faults.value ?? {};
    return html`<section class="panel" aria-labelledby="faults-title">
      <h2 id="faults-title">Shop fault switches</h2>
      ${this.faults.error ? html`<p class="error-text">${this.faults.error.message}</p>` : null}
      <div class="cards" data-testid="faults-table">${faultNames.map((name) => this.card(name, states[name]))}</div>
    </section>`;
  }

  private card(name: FaultName, state: FaultState | undefined) {
    const on = state?.enabled ?? false;
    const known = this.faults.value !== undefined;
    const outcome = this.outcomes[name];
    return html`<article class=${on ? "on" : ""} data-fault=${name} aria-label=${name}>
      <div class="head">
        <code>${name}</code>
        ${
          known
            ? html`<span class="badge ${on ? "firing" : "resolved"}" data-testid="fault-state">${on ? "on" : "off"}</span>`
            : html`<span class="badge unknown">unknown</span>`
        }
      </div>
      <div class="muted">${descriptions[name]}</div>
      ${
        on && state
          ? html`<p class="params" data-testid="fault-params">
              ${this.paramsText(name, state) || "no parameters"}
              ${state.expiresAt ? html`<span class="muted">· until ${formatTime(Date.parse(state.expiresAt))}</span>` : null}
            </p>`
          : null
      }
      ${this.canSwitch ? this.controls(name, on, state) : null}
      ${
        outcome
          ? html`<p class="outcome ${outcome.ok ? "" : "error-text"}" role=${outcome.ok ? "status" : "alert"} data-testid="faults-message">
              ${outcome.text}
            </p>`
          : null
      }
    </article>`;
  }

  private controls(name: FaultName, on: boolean, state: FaultState | undefined) {
    const draft = this.draft(name, state);
    const busy = this.pending === name;
    return html`<form novalidate @submit=${(e: Event) => this.submit(e, name)}>
      ${
        faultFields[name].length > 0
          ? html`<div class="fields">${faultFields[name].map((f) => this.field(name, f, draft[f.key] ?? ""))}</div>`
          : null
      }
      <div class="actions">
        ${
          on
            ? null
            : html`<label
                >Turns off after (min)
                <input
                  type="number"
                  min="0"
                  step="1"
                  placeholder="never"
                  aria-label=${`${name} expires after minutes`}
                  .value=${this.expiry[name] ?? ""}
                  @input=${(e: Event) => (this.expiry = { ...this.expiry, [name]: (e.target as HTMLInputElement).value })}
                /></label
              >`
        }
        <button
          type="submit"
          class=${on ? "" : "danger"}
          ?disabled=${busy}
          aria-label=${`${on ? "Apply" : "Switch on"} ${name}`}
        >
          ${on ? "Apply" : "Switch on"}
        </button>
        ${
          on
            ? html`<button
                type="button"
                ?disabled=${busy}
                aria-pressed="true"
                aria-label=${`Switch off ${name}`}
                @click=${() => void this.switchOff(name)}
              >
                Switch off
              </button>`
            : null
        }
      </div>
    </form>`;
  }

  private field(name: FaultName, field: FaultField, value: string) {
    const set = (e: Event) => {
      const v = (e.target as HTMLInputElement | HTMLSelectElement).value;
      this.drafts = { ...this.drafts, [name]: { ...this.draft(name, undefined), [field.key]: v } };
    };
    const label = `${name} ${field.label}${field.unit ? ` (${field.unit})` : ""}`;
    if (field.kind === "product") {
      const products = this.products.value ?? [];
      return html`<label class="wide"
        >${field.label}
        <select aria-label=${label} .value=${value} @change=${set}>
          <option value="" ?selected=${value === ""}>${products.length ? "Pick a product…" : "Loading products…"}</option>
          ${products.map((p) => html`<option value=${p.id} ?selected=${p.id === value}>${p.name}</option>`)}
        </select></label
      >`;
    }
    if (field.kind === "routes") {
      return html`<label class="wide"
        >Routes (comma-separated; empty = all)
        <input class="routes" type="text" aria-label=${label} placeholder="/api/products/:id" .value=${value} @input=${set}
      /></label>`;
    }
    return html`<label
      >${field.label}${field.unit ? ` (${field.unit})` : ""}
      <input
        type="number"
        aria-label=${label}
        min=${String(field.min ?? "")}
        max=${String(field.max ?? "")}
        step="any"
        .value=${value}
        @input=${set}
    /></label>`;
  }

  /** A switch's parameters in words; a product shows by name rather than by id. */
  private paramsText(name: FaultName, state: FaultState): string {
    const text = describeParams(name, state.params);
    const id = state.params.productId;
    const product = (this.products.value ?? []).find((p) => p.id === id);
    return product ? text.replace(String(id), `“${product.name}”`) : text;
  }

  /** The form's text: what the user typed, else the switch's current parameters or defaults. */
  private draft(name: FaultName, state: FaultState | undefined): FaultDraft {
    return this.drafts[name] ?? draftOf(name, state?.enabled ? state.params : undefined);
  }

  private async submit(event: Event, name: FaultName): Promise<void> {
    event.preventDefault();
    const state = this.faults.value?.[name];
    const built = faultBody(name, this.draft(name, state));
    if (!built.ok) {
      this.outcomes = { ...this.outcomes, [name]: { ok: false, text: built.message } };
      return;
    }
    const minutes = Number(this.expiry[name] ?? "");
    const body = {
      ...built.body,
      ...(!state?.enabled && minutes > 0 ? { expiresInSeconds: Math.round(minutes * 60) } : {}),
    };
    await this.attempt(name, state?.enabled ? "updated" : "switched on", () =>
      hub.put(`/faults/${name}`, body),
    );
  }

  private async switchOff(name: FaultName): Promise<void> {
    await this.attempt(name, "switched off", () => hub.delete(`/faults/${name}`));
    this.drafts = { ...this.drafts, [name]: undefined };
  }

  /** One change: the previous outcome clears as it starts, so no stale error lingers. */
  private async attempt(name: FaultName, done: string, call: () => Promise<unknown>): Promise<void> {
    this.outcomes = { ...this.outcomes, [name]: undefined };
    this.pending = name;
    try {
      await call();
      this.outcomes = { ...this.outcomes, [name]: { ok: true, text: `${name} ${done}.` } };
    } catch (error) {
      const text = error instanceof ApiError ? error.message : "the hub could not be reached";
      this.outcomes = { ...this.outcomes, [name]: { ok: false, text: `Failed: ${text}` } };
    } finally {
      this.pending = undefined;
    }
    await this.faults.run();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-faults": PwFaults;
  }
}
