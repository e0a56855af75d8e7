import { z } from "zod";

/** The last instant of year 9999: past it, Postgres timestamps and ISO strings stop agreeing. */
export const MAX_STORABLE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * An ISO 8601 instant with an offset that every column can hold: from 1970 to the end of
 * 9999 (year 0 or 275760 parse in JavaScript, then fail in Postgres as a 500).
 */
export const StorableInstantSchema = z.iso.datetime({ offset: true }).refine(
  (value) => {
    const ms = Date.parse(value);
    return Number.isFinite(ms) && ms >= 0 && ms <= MAX_STORABLE_MS;
  },
  { message: "a date between 1970 and 9999" },
);

/**
 * How people see an instant, in the CLI and the dashboard alike: the reader's locale, with the
 * year, the seconds and the time zone ("12/06/2026, 01:02:03 AM UTC").
 */
export const instantFormat = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZoneName: "short",
});
