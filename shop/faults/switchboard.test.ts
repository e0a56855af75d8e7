import { describe, expect, it } from "vitest";
import { Switchboard } from "./switchboard.ts";

describe("Switchboard", () => {
  it("reports a switch on with its parameters until it is turned off", () => {
    const board = new Switchboard(() => 0);
    board.set("slow_db", { enabled: true, delayMs: 50 });
    expect(board.get("slow_db")).toEqual({ delayMs: 50 });
    expect(board.state("slow_db")).toEqual({ enabled: true, expiresAt: null, params: { delayMs: 50 } });
    board.set("slow_db", { enabled: false, delayMs: 50 });
    expect(board.get("slow_db")).toBeUndefined();
  });

  it("turns a switch off at its expiry and tells listeners", () => {
    let now = 1_000;
    const board = new Switchboard(() => now);
    const offs: string[] = [];
    board.onOff((name) => offs.push(name));
    board.set("readiness", { enabled: true, expiresInSeconds: 10 });
    expect(board.state("readiness").expiresAt).toBe(new Date(11_000).toISOString());
    now = 10_999;
    expect(board.get("readiness")).toEqual({});
    now = 11_000;
    board.sweep();
    expect(offs).toEqual(["readiness"]);
    expect(board.get("readiness")).toBeUndefined();
  });

  it("clears every switch at once", () => {
    const board = new Switchboard(() => 0);
    board.set("readiness", { enabled: true });
    board.set("cpu_burn", { enabled: true, msPerRequest: 1 });
    board.clearAll();
    expect(Object.values(board.snapshot().faults).every((s) => !s.enabled)).toBe(true);
  });
});
