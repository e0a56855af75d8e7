import { roles } from "../../db/schema/hub.ts";

export { roles };
export type Role = (typeof roles)[number];

/** True when `role` is at least `needed` in viewer < engineer < ops < admin. */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return roles.indexOf(role) >= roles.indexOf(needed);
}
