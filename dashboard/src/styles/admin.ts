import { css } from "lit";

/**
 * What the Admin panels share on top of sharedStyles: their forms (fields in a wrapping row,
 * buttons on the fields' baseline) and tables that fit a phone: cells break long ids and details
 * anywhere, while headings, buttons and role pickers keep their words whole (no "Re/vo/ke" or
 * "Actio/n" at 390 px). A row's name (`td.name`: an email, a token or file name) wraps only at
 * the <wbr>s `breakable` puts after "@", "." and "-": "anywhere" made "admin@peakwatc|h.local".
 */
export const adminStyles = css`
  form {
    display: flex;
    gap: 0.75rem;
    align-items: flex-end;
    flex-wrap: wrap;
    margin-top: 1rem;
  }
  td {
    overflow-wrap: anywhere;
  }
  th,
  td button,
  td select {
    overflow-wrap: normal;
  }
  td.name,
  td.name a {
    overflow-wrap: break-word;
  }
  td button {
    white-space: nowrap;
  }
  @media (max-width: 600px) {
    td button,
    td select {
      padding: 0.25rem 0.4rem;
    }
  }
`;
