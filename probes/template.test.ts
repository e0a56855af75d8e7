import { describe, expect, it } from "vitest";
import { render, renderDeep, syntheticIp, type TemplateContext } from "./template.ts";

const context = (over: Partial<TemplateContext> = {}): TemplateContext => ({
  vars: { code: "123456", email: "customer7@shop.test" },
  env: { TOKEN: "t0k" },
  random: () => 0.5,
  ...over,
});

describe("templates", () => {
  it("substitutes variables, env and generators", () => {
    expect(render("{{ email }} {{code}} {{env.TOKEN}} n={{randomInt 1 10}}", context())).toBe(
      "customer7@shop.test 123456 t0k n=6",
    );
    expect(render("{{uuid}}", context())).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it("keeps synthetic addresses inside 198.18.0.0/15", () => {
    for (const r of [0, 0.2, 0.9999]) {
      const [a, b, c, d] = syntheticIp(() => r)
        .split(".")
        .map(Number);
      expect(a).toBe(198);
      expect([18, 19]).toContain(b);
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThanOrEqual(255);
      expect(d).toBeGreaterThanOrEqual(1);
      expect(d).toBeLessThanOrEqual(254);
    }
  });

  it("fails loudly on an unknown variable or unset env", () => {
    expect(() => render("{{cartId}}", context())).toThrow('unknown variable "cartId"');
    expect(() => render("{{env.NOPE}}", context())).toThrow("environment variable NOPE is not set");
    expect(() => render("{{randomInt 5 1}}", context())).toThrow("randomInt MIN MAX");
  });

  it("renders strings inside bodies given as objects", () => {
    expect(renderDeep({ code: "{{code}}", n: 2, list: ["{{email}}"] }, context())).toEqual({
      code: "123456",
      n: 2,
      list: ["customer7@shop.test"],
    });
  });
});
