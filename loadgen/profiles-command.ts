import { profileList } from "../core/profiles/index.ts";

/** `peakwatch profiles`: the built-in load profiles, one line each. */
export async function main(_argv: string[]): Promise<number> {
  const list = profileList();
  const width = Math.max(...list.map((p) => p.name.length));
  for (const p of list) console.log(`${p.name.padEnd(width)}  ${p.description}`);
  return 0;
}
