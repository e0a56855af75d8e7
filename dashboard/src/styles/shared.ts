import { css } from "lit";

/** Styles every view shares: surfaces, tables, buttons, form controls, badges, focus rings. */
export const sharedStyles = css`
  :host {
    display: block;
    color: var(--pw-text);
  }
  h1,
  h2,
  h3 {
    margin: 0 0 0.5rem;
    line-height: 1.2;
  }
  h1 {
    font-size: 1.4rem;
  }
  h2 {
    font-size: 1.1rem;
  }
  h3 {
    font-size: 1rem;
  }
  .panel {
    background: var(--pw-surface);
    border: 1px solid var(--pw-border);
    border-radius: var(--pw-radius);
    padding: 1rem;
    margin-bottom: 1rem;
    /* A table wider than a phone scrolls inside its panel; the page never scrolls sideways. */
    overflow-x: auto;
    min-width: 0;
    /* Holds absolutely placed children (visually-hidden text) inside that scroll. */
    position: relative;
  }
  .grid {
    display: grid;
    gap: 1rem;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr));
  }
  .row {
    display: flex;
    gap: 0.75rem;
    align-items: center;
    flex-wrap: wrap;
  }
  .spacer {
    flex: 1;
  }
  .muted {
    color: var(--pw-muted);
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-variant-numeric: tabular-nums;
  }
  th,
  td {
    text-align: left;
    padding: 0.35rem 0.5rem;
    border-bottom: 1px solid var(--pw-border);
    vertical-align: top;
  }
  th {
    font-weight: 600;
    color: var(--pw-muted);
    font-size: 0.85rem;
  }
  td.num,
  th.num {
    text-align: right;
    white-space: nowrap;
  }
  td code,
  td a,
  th code,
  th a {
    /* Long ids and URLs break instead of widening their table past the screen. */
    overflow-wrap: anywhere;
  }
  @media (max-width: 600px) {
    .panel {
      padding: 0.6rem;
    }
    table {
      font-size: 0.85rem;
    }
    th,
    td {
      padding: 0.3rem 0.3rem;
    }
  }
  button,
  .button {
    font: inherit;
    padding: 0.4rem 0.8rem;
    border-radius: var(--pw-radius);
    border: 1px solid var(--pw-border);
    background: var(--pw-surface-2);
    color: var(--pw-text);
    cursor: pointer;
    text-decoration: none;
    display: inline-block;
  }
  button.primary {
    background: var(--pw-accent);
    color: var(--pw-accent-text);
    border-color: var(--pw-accent);
  }
  button.danger {
    background: var(--pw-bad-bg);
    color: var(--pw-bad);
    border-color: var(--pw-bad);
  }
  button:disabled {
    opacity: 0.6;
    cursor: not-allowed;
  }
  input,
  select {
    font: inherit;
    padding: 0.35rem 0.5rem;
    border-radius: var(--pw-radius);
    border: 1px solid var(--pw-border);
    background: var(--pw-surface);
    color: var(--pw-text);
  }
  label {
    display: inline-flex;
    flex-direction: column;
    gap: 0.2rem;
    font-size: 0.85rem;
    color: var(--pw-muted);
  }
  label.inline {
    flex-direction: row;
    align-items: center;
    gap: 0.4rem;
  }
  :focus-visible {
    outline: 3px solid var(--pw-focus);
    outline-offset: 2px;
  }
  a {
    color: var(--pw-accent);
  }
  .badge {
    display: inline-block;
    box-sizing: border-box;
    /* One word, never split over two lines; a table too narrow for it scrolls in its panel. */
    white-space: nowrap;
    vertical-align: middle;
    padding: 0.05rem 0.5rem;
    border-radius: 999px;
    font-size: 0.8rem;
    font-weight: 600;
    border: 1px solid currentColor;
  }
  .ok,
  .badge.up,
  .badge.passed,
  .badge.resolved {
    color: var(--pw-ok);
    background: var(--pw-ok-bg);
  }
  .warn,
  .badge.degraded,
  .badge.exited,
  .badge.pending,
  .badge.passed-with-incidents,
  .badge.running,
  .badge.starting,
  .badge.unknown {
    color: var(--pw-warn);
    background: var(--pw-warn-bg);
  }
  .bad,
  .badge.down,
  .badge.firing,
  .badge.failed,
  .badge.lost,
  .badge.error,
  .badge.aborted {
    color: var(--pw-bad);
    background: var(--pw-bad-bg);
  }
  .error-text {
    color: var(--pw-bad);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    border: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
