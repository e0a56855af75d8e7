import type * as windowWire from "../../../core/window.ts";

/**
 * The journey step's name from core/window.ts. Imported as a type and restated as a checked
 * literal, because importing core/window.ts at run time would pull its HDR histogram code
 * (and an eval) into the browser bundle; tsc fails here if core ever renames it.
 */
export const JOURNEY_STEP: typeof windowWire.JOURNEY_STEP = "journey";
