import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiPath } from "../../server/openapi.ts";
import { startTestHub, type TestHub } from "../helpers/hub.ts";

const dashboardSrc = join(import.meta.dirname, "../../dashboard/src");

const CHAIN_FALLBACK = /\b(\w+(?:\??\.\w+)+)\s*\?\?\s*(\w+(?:\??\.\w+)+)/g;

/** `x.a ?? x.b`, `x.run?.id ?? x.id`: one object read under two field names, the guess contracts end. */
function fieldGuesses(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(CHAIN_FALLBACK)) {
    const [left, right] = [m[1]!.replaceAll("?.", "."), m[2]!.replaceAll("?.", ".")];
    if (left.split(".")[0] === right.split(".")[0] && left !== right) out.push(m[0]);
  }
  return out;
}

describe("the hub's OpenAPI document", () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.close();
  });

  it("lists every route the hub registered, each documented", async () => {
    const response = await fetch(`${hub.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      paths: Record<string, Record<string, { summary?: string; "x-undocumented"?: boolean }>>;
    };
    const routes = hub.hub.routes.filter((r) => r.method !== "ALL" && r.path !== "/*");
    expect(routes.length).toBeGreaterThan(50);
    const missing = new Set<string>();
    const undocumented = new Set<string>();
    for (const r of routes) {
      const path = openApiPath(r.path);
      const documentPath = path.startsWith("/api/v1/") ? path.slice("/api/v1".length) : path;
      const operation = document.paths[documentPath]?.[r.method.toLowerCase()];
      if (!operation) missing.add(`${r.method} ${r.path}`);
      else if (operation["x-undocumented"] || !operation.summary) undocumented.add(`${r.method} ${r.path}`);
    }
    expect([...missing], "routes absent from openapi.json").toEqual([]);
    expect([...undocumented], "routes without a description in server/openapi.ts").toEqual([]);
    // The run routes the dashboard reads carry their response schema from core/api.
    expect(document.paths["/runs/{id}"]?.get).toHaveProperty(["responses", "200", "content"]);
    expect(document.paths["/summary"]?.get).toHaveProperty(["responses", "200", "content"]);
  });
});

describe("the dashboard", () => {
  it("reads the hub's answers by their contracts: no ?? between two field names of one object", () => {
    const guesses: string[] = [];
    for (const entry of readdirSync(dashboardSrc, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith(".ts") || entry.name.endsWith(".test.ts")) continue;
      const file = join(entry.parentPath, entry.name);
      for (const guess of fieldGuesses(readFileSync(file, "utf8")))
        guesses.push(`${file.slice(dashboardSrc.length + 1)}: ${guess}`);
    }
    expect(guesses).toEqual([]);
  });

  it("the check finds such a guess", () => {
    expect(fieldGuesses("name: String(s.name ?? s.rule)")).toEqual(["s.name ?? s.rule"]);
    expect(fieldGuesses("const id = body.run?.runId ?? body.runId ?? body.id;")).toEqual([
      "body.run?.runId ?? body.runId",
    ]);
    expect(fieldGuesses("last?.state ?? p.state; this.a ?? this.a")).toEqual([]);
  });
});
