import { describe, expect, it } from "vitest";
import { renderTemplate } from "./template.ts";

describe("renderTemplate", () => {
  const data = { value: 0.3124, threshold: 0.05, labels: { step: "checkout" } };

  it("shows the value, threshold and labels with Prometheus-style formatters", () => {
    expect(
      renderTemplate(
        "{{ $labels.step }} errors {{ $value | humanizePercentage }} > {{$threshold|humanizePercentage}}",
        data,
      ),
    ).toBe("checkout errors 31.24% > 5%");
    expect(renderTemplate("p95 {{ $value | ms }}", { ...data, value: 812.5 })).toBe("p95 812.5 ms");
  });

  it("says a long span in words and a short one in seconds", () => {
    expect(renderTemplate("no backup for {{ $value | seconds }}", { ...data, value: 180_000 })).toBe(
      "no backup for 2 d 2 h",
    );
    expect(renderTemplate("lag {{ $value | seconds }}", { ...data, value: 0.25 })).toBe("lag 0.25 s");
  });

  it("never throws on missing values or unknown formatters", () => {
    expect(renderTemplate("{{ $value }} {{ $labels.nope }}|", { ...data, value: null })).toBe("n/a |");
    expect(renderTemplate("{{ $value | shout }}", data)).toBe("{{ $value | shout }}");
  });
});
