import { PROJECT_HEADER } from "../../../core/names.ts";
import { ApiError, toApiError } from "./api-error.ts";
import { currentProject } from "./project.ts";

type Query = Record<string, string | number | undefined>;

/**
 * The hub's REST API under /api/v1, with the session cookie. Mutating requests (logout
 * included) carry the CSRF token the hub handed out in GET /auth/me, and JSON bodies their
 * JSON content type (the hub refuses others). Throws ApiError on any non-2xx answer.
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
    const send = () => {
      const headers: Record<string, string> = { accept: "application/json" };
      if (body !== undefined) headers["content-type"] = "application/json";
      if (method !== "GET" && this.csrfToken) headers["x-csrf-token"] = this.csrfToken;
      // Every call works in the chosen project (the hub's default one when none is chosen).
      const project = currentProject();
      if (project) headers[PROJECT_HEADER] = project;
      return fetch(this.base + path + queryString(query), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        signal,
      });
    };
    let response = await send();
    // A session this page has not read its CSRF token for yet (another tab logged in): fetch it, retry once.
    if (response.status === 403 && method !== "GET" && (await this.refreshCsrfToken()))
      response = await send();
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

  /** Reads the session's CSRF token again; true when it changed (so a refused write may be retried). */
  private async refreshCsrfToken(): Promise<boolean> {
    const me = await fetch(`${this.base}/auth/me`, { credentials: "same-origin" }).catch(() => undefined);
    if (!me?.ok) return false;
    const { csrfToken } = (await me.json()) as { csrfToken?: string };
    if (!csrfToken || csrfToken === this.csrfToken) return false;
    this.csrfToken = csrfToken;
    return true;
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
