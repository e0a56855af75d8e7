import { ApiError, toApiError } from "./api-error.ts";

type Query = Record<string, string | number | undefined>;

/**
 * The hub's REST API under /api/v1, with the session cookie. Mutating requests carry the
 * CSRF token the hub handed out in GET /auth/me. Throws ApiError on any non-2xx answer.
 */
export class HubClient {
  csrfToken: string | undefined;
  /** Called on every 401, so the app can drop back to the login view. */
  onUnauthenticated: (() => void) | undefined;

  constructor(private readonly base = "/api/v1") {}

  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>("GET", path, undefined, query, signal);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("POST", path, body ?? {});
  }

  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("PUT", path, body ?? {});
  }

  patch<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("PATCH", path, body ?? {});
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>("DELETE", path);
  }

  /** An absolute same-origin URL for links (report downloads). */
  href(path: string, query?: Query): string {
    return this.base + path + queryString(query);
  }

  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
    query?: Query,
    signal?: AbortSignal,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (method !== "GET" && this.csrfToken) headers["x-csrf-token"] = this.csrfToken;
    const response = await fetch(this.base + path + queryString(query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      signal,
    });
    if (!response.ok) {
      const error = await toApiError(response);
      if (error.unauthenticated) this.onUnauthenticated?.();
      throw error;
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    if (text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(
        response.status,
        "bad_response",
        `the hub answered ${path} with non-JSON`,
        undefined,
      );
    }
  }
}

function queryString(query?: Query): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  const s = params.toString();
  return s === "" ? "" : `?${s}`;
}

/** The one client the app shares; elements import it rather than building their own. */
export const hub = new HubClient();
