import { css, html, LitElement } from "lit";
import { customElement } from "lit/decorators.js";
import { describeRuleCondition, type Rule } from "../../../core/rule.ts";
import { hub } from "../api/hub-client.ts";
import { listOf } from "../api/types.ts";
import { ApiTask } from "../controllers/api-task.ts";
import { formatDuration } from "../format.ts";
import { cardRows } from "../styles/card-rows.ts";
import { sharedStyles } from "../styles/shared.ts";
import "./pw-table-scroll.ts";

/**
 * The alert rules of the project (GET /rules): what each watches in words with its unit, how
 * long a breach must last, its severity, and whether it is on. Changed through /api/v1/rules.
 */
@customElement("pw-rules")
export class PwRules extends LitElement {
  static override styles = [
    sharedStyles,
    cardRows("table"),
    css`
      tr[data-enabled="false"] {
        opacity: 0.6;
      }
    `,
  ];

  private readonly rules = new ApiTask(this, {
    task: async (signal) =>
      listOf<Rule>(await hub.get("/rules", undefined, signal), "rules").sort((a, b) =>
        a.name.localeCompare(b.name),
      ),
    refreshMs: 60_000,
  });

  override render() {
    const list = this.rules.value ?? [];
    return html`<section class="panel" aria-labelledby="rules-title" data-testid="rules">
      <h2 id="rules-title">Rules</h2>
      ${this.rules.error ? html`<p class="error-text" role="alert">${this.rules.error.message}</p>` : null}
      <pw-table-scroll label="Alert rules"><table>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Fires when</th>
            <th scope="col">For</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          ${
            list.length === 0
              ? html`<tr><td colspan="4" class="muted">${this.rules.status === "complete" ? "No rules." : "Loading…"}</td></tr>`
              : list.map(
                  (r) => html`<tr data-rule=${r.name} data-enabled=${String(r.enabled)}>
                    <td data-label="Rule">
                      <strong>${r.name}</strong> <span class="muted">(${r.severity})</span>
                      ${r.description ? html`<div class="muted">${r.description}</div>` : null}
                    </td>
                    <td data-label="Fires when">${describeRuleCondition(r)}</td>
                    <td data-label="For">${r.forSeconds > 0 ? formatDuration(r.forSeconds) : "at once"}</td>
                    <td data-label="State">${r.enabled ? "on" : "off"}${r.builtin ? html`<div class="muted">built in</div>` : null}</td>
                  </tr>`,
                )
          }
        </tbody>
      </table></pw-table-scroll>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "pw-rules": PwRules;
  }
}
