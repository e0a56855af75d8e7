/**
 * The rows of a `db.execute(sql…)` result on either driver: PGlite answers `{ rows }`,
 * postgres-js an array of rows.
 */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
