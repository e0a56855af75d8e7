import { THEME_EVENT } from "./elements/pw-chart.ts";

export type ThemeChoice = "light" | "dark" | "system";
const KEY = "pw-theme";

/** The stored theme choice ("system" follows prefers-color-scheme). */
export function storedTheme(): ThemeChoice {
  const value = localStorage.getItem(KEY);
  return value === "light" || value === "dark" ? value : "system";
}

/** Applies and remembers a choice; charts repaint through THEME_EVENT. */
export function applyTheme(choice: ThemeChoice): void {
  if (choice === "system") {
    document.documentElement.removeAttribute("data-theme");
    localStorage.removeItem(KEY);
  } else {
    document.documentElement.dataset.theme = choice;
    localStorage.setItem(KEY, choice);
  }
  window.dispatchEvent(new Event(THEME_EVENT));
}

/** The theme actually in effect. */
export function effectiveTheme(): "light" | "dark" {
  const choice = storedTheme();
  if (choice !== "system") return choice;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}
