import type { FaultName } from "../../../core/faults.ts";

/** One editable parameter of a fault switch, as the Control view shows it. */
export interface FaultField {
  /** The key in the PUT /faults/:name body (core/faults.ts). */
  key: string;
  label: string;
  /** Shown after the value; "%" fields are edited as percentages. */
  unit: "ms" | "%" | "B" | "";
  kind: "number" | "product" | "routes";
  /** The shop's default, restated from core/faults.ts to keep zod out of the bundle. */
  fallback: number | string;
  min?: number;
  max?: number;
  /** The body holds `value / scale`: 100 for a ratio edited as a percentage. */
  scale?: number;
}

const routes: FaultField = { key: "routes", label: "Routes", unit: "", kind: "routes", fallback: "" };
const status = (fallback: number): FaultField => ({
  key: "status",
  label: "HTTP status",
  unit: "",
  kind: "number",
  fallback,
  min: 400,
  max: 599,
});

/**
 * Every switch's parameters. A Record over FaultName, so tsc fails when the shop adds a
 * switch this list lacks.
 */
export const faultFields: Record<FaultName, FaultField[]> = {
  latency: [
    { key: "fixedMs", label: "Latency", unit: "ms", kind: "number", fallback: 200, min: 0, max: 60_000 },
    { key: "jitterMs", label: "Jitter", unit: "ms", kind: "number", fallback: 0, min: 0, max: 60_000 },
    {
      key: "probability",
      label: "Share",
      unit: "%",
      kind: "number",
      fallback: 100,
      min: 0,
      max: 100,
      scale: 100,
    },
    routes,
  ],
  errors: [
    {
      key: "rate",
      label: "Error rate",
      unit: "%",
      kind: "number",
      fallback: 50,
      min: 0,
      max: 100,
      scale: 100,
    },
    status(500),
    routes,
  ],
  payment_failure: [
    { key: "percentage", label: "Declined", unit: "%", kind: "number", fallback: 100, min: 0, max: 100 },
  ],
  payment_unreachable: [],
  failing_product: [
    { key: "productId", label: "Product", unit: "", kind: "product", fallback: "" },
    status(500),
  ],
  slow_db: [
    { key: "delayMs", label: "Delay", unit: "ms", kind: "number", fallback: 500, min: 0, max: 60_000 },
  ],
  cpu_burn: [
    {
      key: "msPerRequest",
      label: "CPU per request",
      unit: "ms",
      kind: "number",
      fallback: 20,
      min: 0,
      max: 5000,
    },
  ],
  memory_leak: [
    {
      key: "bytesPerRequest",
      label: "Retained per request",
      unit: "B",
      kind: "number",
      fallback: 100_000,
      min: 0,
      max: 10_000_000,
    },
  ],
  readiness: [],
  cache_flush: [],
  stock_out: [{ key: "productId", label: "Product", unit: "", kind: "product", fallback: "" }],
};

/** Form text per field key. */
export type FaultDraft = Record<string, string>;

/** The form's starting text: the switch's current parameters when on, else the defaults. */
export function draftOf(name: FaultName, params: Record<string, unknown> | undefined): FaultDraft {
  const draft: FaultDraft = {};
  for (const field of faultFields[name]) {
    const value = params?.[field.key];
    if (field.kind === "routes") draft[field.key] = Array.isArray(value) ? value.join(", ") : "";
    else if (typeof value === "number") draft[field.key] = String(round(value * (field.scale ?? 1)));
    else if (typeof value === "string") draft[field.key] = value;
    else draft[field.key] = String(field.fallback);
  }
  return draft;
}

export type BodyResult =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; field: string; message: string };

/** The PUT body for a draft; a field that is not a number in range is named, nothing is sent. */
export function faultBody(name: FaultName, draft: FaultDraft): BodyResult {
  const body: Record<string, unknown> = { enabled: true };
  for (const field of faultFields[name]) {
    const text = (draft[field.key] ?? "").trim();
    if (field.kind === "routes") {
      const list = text
        .split(",")
        .map((r) => r.trim())
        .filter(Boolean);
      if (list.length > 0) body[field.key] = list;
    } else if (field.kind === "product") {
      if (!text) return { ok: false, field: field.key, message: `${field.label}: pick a product` };
      body[field.key] = text;
    } else {
      const value = Number(text);
      const { min = -Infinity, max = Infinity } = field;
      if (text === "" || !Number.isFinite(value) || value < min || value > max) {
        return {
          ok: false,
          field: field.key,
          message: `${field.label}: a number from ${min} to ${max}${field.unit ? ` ${field.unit}` : ""}`,
        };
      }
      body[field.key] = field.scale ? value / field.scale : value;
    }
  }
  return { ok: true, body };
}

/** A switch's parameters in words with units: "Latency 200 ms, Share 50 %". */
export function describeParams(name: FaultName, params: Record<string, unknown>): string {
  return faultFields[name]
    .flatMap((field) => {
      const value = params[field.key];
      if (field.kind === "routes")
        return Array.isArray(value) && value.length > 0 ? [`routes ${value.join(", ")}`] : [];
      if (typeof value === "number") {
        const shown = round(value * (field.scale ?? 1));
        return [`${field.label} ${shown}${field.unit ? ` ${field.unit}` : ""}`];
      }
      return typeof value === "string" ? [`${field.label} ${value}`] : [];
    })
    .join(", ");
}

const round = (v: number) => Number(v.toFixed(4));
