import { applyTheme, storedTheme } from "./theme.ts";
import "./elements/pw-app.ts";

applyTheme(storedTheme());
