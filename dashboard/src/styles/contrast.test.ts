import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** WCAG 2 relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The custom properties declared in the first CSS block whose selector starts with `selector`. */
function tokens(css: string, selector: string): Record<string, string> {
  const start = css.indexOf(`${selector} {`);
  const body = css.slice(start, css.indexOf("}", start));
  return Object.fromEntries(
    [...body.matchAll(/(--pw-[a-z0-9-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1]!, m[2]!]),
  );
}

const css = readFileSync(new URL("./theme.css", import.meta.url), "utf8");
const light = tokens(css, ":root");
const dark = { ...light, ...tokens(css, ':root[data-theme="dark"]') };

/** Text colour on background colour pairs the views use. */
const pairs: Array<[string, string]> = [
  ["--pw-text", "--pw-bg"],
  ["--pw-text", "--pw-surface"],
  ["--pw-text", "--pw-surface-2"],
  ["--pw-muted", "--pw-surface"],
  ["--pw-muted", "--pw-bg"],
  ["--pw-muted", "--pw-surface-2"],
  ["--pw-accent", "--pw-surface"],
  ["--pw-accent-text", "--pw-accent"],
  ["--pw-ok", "--pw-ok-bg"],
  ["--pw-warn", "--pw-warn-bg"],
  ["--pw-bad", "--pw-bad-bg"],
  ["--pw-text", "--pw-bad-bg"],
];

describe("theme contrast (WCAG AA, 4.5:1 for text)", () => {
  for (const [name, theme] of [
    ["light", light],
    ["dark", dark],
  ] as const) {
    it(`every text/background pair of the ${name} theme is readable`, () => {
      for (const [fg, bg] of pairs) {
        expect(theme[fg], `${fg} in ${name}`).toMatch(/^#/);
        expect(contrast(theme[fg]!, theme[bg]!), `${fg} on ${bg} (${name})`).toBeGreaterThanOrEqual(4.5);
      }
    });
  }

  it("the dark block for prefers-color-scheme matches the toggle's dark theme", () => {
    const media = css.slice(css.indexOf("@media (prefers-color-scheme: dark)"));
    expect(tokens(media, ':root:not([data-theme="light"])')).toEqual(tokens(css, ':root[data-theme="dark"]'));
  });
});
