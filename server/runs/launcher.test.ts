import { describe, expect, it } from "vitest";
import { runEnvironment } from "./launcher.ts";

const parent = {
  PATH: "/usr/bin",
  HOME: "/home/pw",
  PEAKWATCH_DATA_DIR: "/data",
  DATABASE_URL: "postgres://hub:secret@db/peakwatch",
  PEAKWATCH_MASTER_KEY: "master-key",
  HUB_OTP_SECRET: "otp-secret",
  SMTP_URL: "smtp://user:pass@mail",
  SHOP_ADMIN_TOKEN: "admin-token",
  SHOP_TEST_HOOKS_TOKEN: "hooks-token",
  PEAKWATCH_AGENT_TOKEN: "hub-bootstrap-token",
};
const shop = { url: "http://127.0.0.1:4100", adminToken: "admin-token", testHooksToken: "hooks-token" };
const run = { hubUrl: "http://127.0.0.1:4000", agentToken: "run-token" };

describe("the environment of a hub-started load run", () => {
  it("inherits only allowlisted variables: no database URL, master key, OTP or SMTP secret", () => {
    const env = runEnvironment(parent, { ...run, target: "http://127.0.0.1:4100" }, shop);
    expect(env.PATH).toBe("/usr/bin");
    expect(env.PEAKWATCH_DATA_DIR).toBe("/data");
    for (const secret of ["DATABASE_URL", "PEAKWATCH_MASTER_KEY", "HUB_OTP_SECRET", "SMTP_URL"])
      expect(env[secret]).toBeUndefined();
  });

  it("carries the run's own agent token, never the hub's bootstrap token", () => {
    const env = runEnvironment(parent, { ...run, target: "http://127.0.0.1:4100" }, shop);
    expect(env.PEAKWATCH_AGENT_TOKEN).toBe("run-token");
    expect(env.PEAKWATCH_HUB_URL).toBe("http://127.0.0.1:4000");
  });

  it("gives the shop's tokens to a run against exactly the configured shop origin only", () => {
    const own = runEnvironment(parent, { ...run, target: "http://127.0.0.1:4100/" }, shop);
    expect([own.SHOP_ADMIN_TOKEN, own.SHOP_TEST_HOOKS_TOKEN]).toEqual(["admin-token", "hooks-token"]);
    for (const target of ["http://127.0.0.1:4101", "http://localhost:4100", "https://127.0.0.1:4100"]) {
      const other = runEnvironment(parent, { ...run, target }, shop);
      // Empty, not absent: the generator must not fill them in from a stack file either.
      expect([other.SHOP_ADMIN_TOKEN, other.SHOP_TEST_HOOKS_TOKEN], target).toEqual(["", ""]);
    }
  });
});
