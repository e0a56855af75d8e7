/** A hub error as the dashboard shows it: the hub's `{code, message, requestId}` plus the status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** True for 401: the session is gone and the app should show the login view. */
  get unauthenticated(): boolean {
    return this.status === 401;
  }
}

/** Reads a hub error body; tolerates a proxy's HTML or an empty body. */
export async function toApiError(response: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const b = (body ?? {}) as { code?: unknown; message?: unknown; requestId?: unknown };
  return new ApiError(
    response.status,
    typeof b.code === "string" ? b.code : `http_${response.status}`,
    typeof b.message === "string" ? b.message : response.statusText || `HTTP ${response.status}`,
    typeof b.requestId === "string" ? b.requestId : undefined,
  );
}
