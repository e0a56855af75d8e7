import type { InhibitRule } from "../../core/channel.ts";
import type { Labels } from "../../core/fingerprint.ts";
import { matchAll } from "../../core/matchers.ts";

/**
 * Alertmanager's inhibition: a target alert is muted while some *other* firing alert matches a
 * rule's source matchers and carries the same values for every label in `equal`
 * (e.g. ShopDown mutes latency alerts for the same target). Pure.
 */
export function isInhibited(
  target: { fingerprint: string; labels: Labels },
  firing: ReadonlyArray<{ fingerprint: string; labels: Labels }>,
  rules: ReadonlyArray<InhibitRule>,
): boolean {
  return rules.some(
    (rule) =>
      matchAll(rule.targetMatchers, target.labels) &&
      firing.some(
        (source) =>
          source.fingerprint !== target.fingerprint &&
          matchAll(rule.sourceMatchers, source.labels) &&
          rule.equal.every((name) => (source.labels[name] ?? "") === (target.labels[name] ?? "")),
      ),
  );
}
