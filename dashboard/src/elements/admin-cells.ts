import { html } from "lit";
import { roles } from "../api/roles.ts";

/** The hub's roles as <option>s, `selected` chosen. */
export function roleOptions(selected: string) {
  return roles.map((r) => html`<option ?selected=${r === selected}>${r}</option>`);
}

/** A table cell's role picker, named for screen readers by `label`; off on the signed-in user's own row. */
export function roleCell(label: string, role: string, self: boolean, change: (role: string) => void) {
  return html`<td>
    <label class="inline"
      ><span class="visually-hidden">${label}</span>
      <select ?disabled=${self} @change=${(e: Event) => change((e.target as HTMLSelectElement).value)}>
        ${roleOptions(role)}
      </select></label
    >
  </td>`;
}

/** A table cell's Remove button for `email`, or "you" on the signed-in user's own row. */
export function removeCell(email: string, self: boolean, remove: () => void) {
  return html`<td>
    ${
      self
        ? html`<span class="muted">you</span>`
        : html`<button class="danger" aria-label=${`Remove ${email}`} @click=${remove}>Remove</button>`
    }
  </td>`;
}

/** The Email and Role fields of an "add someone" form (the role select named `roleLabel`). */
export function emailAndRoleFields(roleLabel: string) {
  return html`<label>Email <input name="email" type="email" required /></label>
    <label
      >Role
      <select name="role" aria-label=${roleLabel}>
        ${roleOptions("viewer")}
      </select></label
    >`;
}
