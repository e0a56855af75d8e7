import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { type Profile, parseProfile } from "../core/profile.ts";
import { builtinProfiles } from "../core/profiles/index.ts";

/**
 * Loads a built-in profile by name, or a JSON/YAML file by path, and validates it.
 * The error names the profile and the path of the bad field.
 */
export function loadProfile(ref: string): { ok: true; profile: Profile } | { ok: false; error: string } {
  let input: unknown = builtinProfiles[ref];
  if (input === undefined) {
    if (!/\.(json|ya?ml)$/i.test(ref)) {
      return {
        ok: false,
        error: `unknown profile "${ref}": use one of ${Object.keys(builtinProfiles).join(", ")} or a .json/.yaml file`,
      };
    }
    let text: string;
    try {
      text = readFileSync(ref, "utf8");
    } catch (error) {
      return { ok: false, error: `cannot read profile ${ref}: ${(error as Error).message}` };
    }
    try {
      input = /\.json$/i.test(ref) ? JSON.parse(text) : parseYaml(text);
    } catch (error) {
      return {
        ok: false,
        error: `profile ${ref} is not valid ${/\.json$/i.test(ref) ? "JSON" : "YAML"}: ${(error as Error).message}`,
      };
    }
  }
  const r = parseProfile(input);
  return r.ok ? r : { ok: false, error: `profile ${ref}: ${r.error}` };
}
