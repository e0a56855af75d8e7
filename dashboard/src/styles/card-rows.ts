import { css, unsafeCSS } from "lit";

/**
 * A table read as cards on a phone (≤ 600 px), under `scope`: no header row (kept for screen
 * readers), each row a bordered block of lines, each cell on its own line after its label
 * (`data-label`, "Since: 5 min ago"); a cell without a label (a badge, a title, buttons) stands
 * alone. Wider screens keep the table.
 */
export function cardRows(scope: string) {
  const s = unsafeCSS(scope);
  return css`
    @media (max-width: 600px) {
      ${s},
      ${s} tbody,
      ${s} tr,
      ${s} td {
        display: block;
      }
      ${s} thead {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
      }
      ${s} tr {
        border-bottom: 1px solid var(--pw-border);
        padding: 0.4rem 0;
      }
      ${s} td {
        border: none;
        padding: 0.1rem 0.3rem;
        /* A figure's column aligns right in a table; on a line of its own it follows its label. */
        text-align: start;
      }
      ${s} td[data-label]::before {
        content: attr(data-label) ": ";
        color: var(--pw-muted);
      }
    }
  `;
}
