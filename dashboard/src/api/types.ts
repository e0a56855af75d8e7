import type { Alert } from "../../../core/alert.ts";
import type {
  RunDetail as RunDetailContract,
  RunView,
  Series as SeriesContract,
} from "../../../core/api/runs.ts";
import type { ProbeResult, ProbeState } from "../../../core/probe-result.ts";
import type { RunReport } from "../../../core/run.ts";
import type { WindowSummary } from "../../../core/window.ts";
import type { Role } from "./roles.ts";

/** Response shapes of the hub's REST API as the dashboard reads them (contracts in common.md). */

export interface Me {
  email: string;
  /** The role in the project the page works in. */
  role: Role;
  /** The role on the whole hub: only an instance admin manages users, projects and backups. */
  instanceRole: Role;
  csrfToken: string;
}

/** A run as the hub lists it: the generator's report plus who started it (core/api/runs.ts). */
export type Run = RunView;

/** GET /runs/:id as the hub builds it (core/api/runs.ts). */
export type RunDetail = RunDetailContract;

import { type SeriesStat, seriesStats } from "../../../core/names.ts";

export { type SeriesStat, seriesStats };

/** `[epochSeconds, value]` pairs, already downsampled by the hub to the requested resolution (core/api/runs.ts). */
export type Series = SeriesContract;

export interface Profile {
  name: string;
  description: string;
}

export interface ProbeStatus {
  name: string;
  kind: string;
  target: string;
  region: string;
  state: ProbeState;
  lastResult: ProbeResult | null;
}

export interface User {
  id: string;
  email: string;
  role: Role;
  expiresAt?: number | string | null;
  /** Past its expiry: refused at its next request, listed until removed. */
  expired?: boolean;
}

/** A notification channel as GET /channels shows it; secrets never leave the hub. */
export interface Channel {
  id: string;
  name: string;
  kind: string;
  settings?: Record<string, unknown>;
  hasSecret?: boolean;
  /** Where it was defined: the API, or the hub's configuration. */
  source?: string;
}

export type { Alert, ProbeResult, RunReport, WindowSummary };

/** The hub wraps lists as `{<key>: [...]}`; accept a bare array too, so a shape change is not fatal. */
export function listOf<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === "object") {
    const value = (body as Record<string, unknown>)[key];
    if (Array.isArray(value)) return value as T[];
  }
  return [];
}
