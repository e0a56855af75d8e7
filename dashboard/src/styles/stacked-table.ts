import { css, unsafeCSS } from "lit";

/**
 * A figures table stacked for a narrow screen, under `scope` (put it in a container query): no
 * header row; per row a grid of three figures a line, each under its label (`data-label`); the
 * row's header (`th[scope=row]`), a `td.run-label` and a `td.whole` on lines of their own, a
 * `td.wide` (a sentence in place of figures) over two columns.
 */
export function stackedTable(scope: string) {
  const s = unsafeCSS(scope);
  return css`
    ${s} thead {
      display: none;
    }
    ${s} table,
    ${s} tbody {
      display: block;
    }
    ${s} tr {
      display: grid;
      grid-template-columns: repeat(3, minmax(0, 1fr));
      gap: 0.35rem 0.75rem;
      padding: 0.5rem 0;
      border-bottom: 1px solid var(--pw-border);
    }
    ${s} th,
    ${s} td {
      display: block;
      border: 0;
      padding: 0;
      text-align: left;
    }
    ${s} th[scope="row"] {
      grid-column: 1 / -1;
      color: var(--pw-text);
      font-size: 0.95rem;
    }
    ${s} td.run-label {
      grid-column: 1 / -1;
      color: var(--pw-muted);
      font-weight: 600;
      overflow-wrap: anywhere;
    }
    ${s} td.wide {
      grid-column: span 2;
      white-space: normal;
    }
    ${s} td[data-label]::before {
      content: attr(data-label);
      display: block;
      color: var(--pw-muted);
      font-size: 0.75rem;
    }
  `;
}
