import { html } from "lit";

/**
 * An email, file name or host split where a line may break without cutting a word: after each
 * "@", ".", "-", "_" or "/" ("admin@", "peakwatch.", "local"). Joined, the parts are the text again.
 */
export function breakParts(text: string): string[] {
  return text.split(/(?<=[@._/-])(?=.)/);
}

/**
 * `text` with <wbr> at its breakParts, for a cell styled `overflow-wrap: break-word`: it wraps
 * there and a table may narrow to its longest part, where `overflow-wrap: anywhere` split
 * "peakwatc|h.local". Copied, the text has no extra characters.
 */
export function breakable(text: string) {
  return breakParts(text).map((part, i) => (i === 0 ? part : html`<wbr />${part}`));
}
