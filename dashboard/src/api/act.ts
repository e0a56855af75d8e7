import { ApiError } from "./api-error.ts";

/** "Failed: <the hub's reason>", or that the hub could not be reached and why. */
export function failureText(error: unknown): string {
  if (error instanceof ApiError) return `Failed: ${error.message}`;
  const cause = error instanceof Error && error.message ? ` (${error.message})` : "";
  return `Failed: the hub could not be reached${cause}.`;
}

/**
 * Runs a change made from a form or button and returns what to tell the user: `done`, or the
 * failure with its cause. Never throws.
 */
export async function act(done: string, action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
    return done;
  } catch (error) {
    return failureText(error);
  }
}
