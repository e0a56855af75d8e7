/** Hub roles, weakest first; each includes what the ones before it may do. */
export const roles = ["viewer", "engineer", "ops", "admin"] as const;
export type Role = (typeof roles)[number];

/** True when `role` is at least `least` (unknown roles get nothing). */
export function atLeast(role: string | undefined, least: Role): boolean {
  const have = roles.indexOf(role as Role);
  return have >= 0 && have >= roles.indexOf(least);
}
