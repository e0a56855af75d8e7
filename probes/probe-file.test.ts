import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadProbeFile, parseProbeFile } from "./probe-file.ts";

const check = (text: string) => {
  const outcome = parseProbeFile(text, "p.yaml");
  return outcome.ok ? "ok" : outcome.error;
};

const flow = (steps: string, vars = "{}") => `probes:
  - kind: flow
    name: f
    vars: ${vars}
    steps:
${steps}`;

describe("probe files", () => {
  it("accepts durations, defaults and a JSON file", () => {
    const outcome = parseProbeFile(
      '{"probes":[{"kind":"http","name":"a","url":"http://x/","interval":"2m"}]}',
      "p.json",
    );
    expect(outcome.ok && outcome.file.probes[0]).toMatchObject({
      interval: 120_000,
      timeout: 10_000,
      failureThreshold: 2,
      successThreshold: 2,
      method: "GET",
    });
  });

  it.each([
    ["probes:\n  - {kind: htp, name: a}", "p.yaml: probes[0].kind: Invalid discriminator value"],
    [
      "probes:\n  - {kind: http, name: a, url: ftp://x}",
      "p.yaml: probes[0].url: must start with http:// or https://",
    ],
    [
      "probes:\n  - {kind: http, name: a, url: 'http://x', interval: soon}",
      "p.yaml: probes[0].interval: not a duration",
    ],
    [
      "probes:\n  - {kind: http, name: a, url: 'http://x', timeout: 0}",
      "p.yaml: probes[0].timeout: must be between 10 ms",
    ],
    ["probes:\n  - {kind: tcp, name: a, host: x, port: 70000}", "p.yaml: probes[0].port: Too big"],
    [
      "probes:\n  - {kind: http, name: 'a b', url: 'http://x'}",
      "p.yaml: probes[0].name: use letters, digits",
    ],
    [
      "probes:\n  - {kind: http, name: a, url: 'http://x'}\n  - {kind: tcp, name: a, host: x, port: 1}",
      'p.yaml: probes[1].name: duplicate name "a"',
    ],
    [
      "probes:\n  - {kind: http, name: a, url: 'http://x', assertions: [{type: jsonPathExists, path: 'a[x'}]}",
      'p.yaml: probes[0].assertions[0].path: malformed JSON path "a[x"',
    ],
    ["probes: [", "p.yaml line 1: not valid YAML or JSON"],
    [
      "probes:\n  - {kind: http, name: a, url: 'http://x', assertion: [{type: status, in: [200]}]}",
      "p.yaml: probes[0].assertion: unknown field; check its spelling",
    ],
    ["probe: []", "p.yaml: probes: required (an array); p.yaml: probe: unknown field; check its spelling"],
  ])("names the bad field: %s", (text, message) => {
    expect(check(text)).toContain(message);
  });

  it("accepts a flow whose templates use vars, earlier captures, generators and env", () => {
    const text = flow(
      `      - name: one
        url: "http://x/{{uuid}}?ip={{ ip }}"
        headers: { x-token: "{{env.TOKEN}}" }
        capture: [{ name: id, from: json, path: id }]
      - name: two
        method: POST
        url: "http://x/items/{{id}}"
        body: { who: "{{email}}", n: "{{randomInt 1 9}}" }`,
      '{ ip: "{{syntheticIp}}", email: "c{{randomInt 1 5}}@shop.test" }',
    );
    expect(check(text)).toBe("ok");
  });

  it("names a template variable used before it is captured", () => {
    const text = flow(
      `      - name: one
        url: "http://x/{{code}}"
      - name: two
        url: "http://x/"
        capture: [{ name: code, from: body }]`,
      '{ ip: "{{syntheticIp}}" }',
    );
    expect(check(text)).toBe("p.yaml: probes[0].steps[0].url: {{code}} is not defined here (defined: ip)");
  });

  it("names a bad template inside a body or header", () => {
    expect(check(flow(`      - { name: one, url: "http://x/", body: { a: ["{{nope}}"] } }`))).toBe(
      "p.yaml: probes[0].steps[0].body.a[0]: {{nope}} is not defined here",
    );
    expect(check("probes:\n  - {kind: http, name: a, url: 'http://x', headers: {x-id: '{{id}}'}}")).toBe(
      "p.yaml: probes[0].headers.x-id: {{id}} is not defined here",
    );
  });

  it("keeps the shipped example file valid", async () => {
    const outcome = await loadProbeFile(fileURLToPath(new URL("./example.yaml", import.meta.url)));
    expect(outcome.ok ? outcome.file.probes.map((p) => p.kind) : outcome.error).toEqual([
      "http",
      "http",
      "tcp",
      "flow",
    ]);
  });
});
