/**
 * Indices in [from, to] of values with no value on either side (a single second of data, or one
 * between two gaps). A line through one point draws nothing, so a chart marks these with a dot;
 * null when there are none. Linear in the span.
 */
export function isolatedPoints(
  values: ArrayLike<number | null | undefined>,
  from: number,
  to: number,
): number[] | null {
  const present = (i: number) => i >= 0 && i < values.length && values[i] != null;
  const found: number[] = [];
  for (let i = Math.max(0, from); i <= Math.min(to, values.length - 1); i++)
    if (present(i) && !present(i - 1) && !present(i + 1)) found.push(i);
  return found.length > 0 ? found : null;
}
