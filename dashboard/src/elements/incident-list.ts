import { css, html } from "lit";
import type { RunIncident } from "../../../core/verdict.ts";
import { formatTime } from "../format.ts";

/** Styles of incidentList, for the elements that show one. */
export const incidentListStyles = css`
  .incidents {
    margin: 0.25rem 0 0.75rem;
    padding-left: 1.25rem;
  }
`;

/**
 * The alerts that fired during a run, from the alert history (the run's verdict): severity, the
 * value when it fired with its unit and time, the injected fault that caused it, the rule's
 * summary. Unlike the engine's live state, it still holds them after the hub restarts or the
 * resolved alerts age out.
 */
export function incidentList(runId: string, incidents: ReadonlyArray<RunIncident>) {
  return html`<ul class="incidents" aria-label="Alerts that fired during the run">
    ${incidents.map(
      (i) => html`<li
        data-testid="incident"
        data-rule=${i.rule}
        data-severity=${i.severity}
        data-fingerprint=${i.fingerprint}
        data-run=${runId}
      >
        <span class="badge ${i.severity === "critical" ? "firing" : "pending"}">${i.severity}</span>
        <strong>${i.rule}</strong> ${i.valueText}${
          i.firingAtStart
            ? html`, already firing when the run started (since ${formatTime(i.at)})`
            : html` at ${formatTime(i.at)}`
        }${i.injectedFault ? html`, caused by the injected fault <code>${i.injectedFault}</code>` : null}
        ${i.summary ? html`<span class="muted"> – ${i.summary}</span>` : null}
      </li>`,
    )}
  </ul>`;
}
