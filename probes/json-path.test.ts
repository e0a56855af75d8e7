import { describe, expect, it } from "vitest";
import { lookup, parsePath } from "./json-path.ts";

describe("json path", () => {
  const doc = { items: [{ id: "a", price: 3 }, { id: "b" }], "odd key": { x: null } };

  it("finds nested keys and indexes, with or without $", () => {
    expect(lookup(doc, "items[1].id")).toEqual({ found: true, value: "b" });
    expect(lookup(doc, "$.items[0].price")).toEqual({ found: true, value: 3 });
    expect(lookup(doc, "odd key.x")).toEqual({ found: true, value: null });
    expect(lookup(doc, '["odd key"].x')).toEqual({ found: true, value: null });
  });

  it("counts negative indexes from the end", () => {
    expect(lookup(doc, "items[-1].id")).toEqual({ found: true, value: "b" });
  });

  it("reports missing steps as not found rather than undefined", () => {
    expect(lookup(doc, "items[5].id")).toEqual({ found: false });
    expect(lookup(doc, "items.id")).toEqual({ found: false });
    expect(lookup("text", "a")).toEqual({ found: false });
  });

  it("rejects a malformed path", () => {
    expect(() => parsePath("items[x")).toThrow(/malformed JSON path/);
  });
});
