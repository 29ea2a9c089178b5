/**
 * Dates as Dataview shows them: converted to the local zone, then formatted with the vault's
 * `defaultDateFormat` (midnight) or `defaultDateTimeFormat` (any other time), Luxon tokens in
 * the UI locale — Dataview formats with Luxon too, so the same format gives the same text.
 */
import { DateTime } from "luxon";
import type { DataviewSettings } from "./dvsettings";
import type { DateCell } from "./types";

export function locale(): string {
  return typeof navigator !== "undefined" && navigator.language ? navigator.language : "en-US";
}

export function formatDate(cell: DateCell, settings: DataviewSettings): string {
  const parsed = DateTime.fromISO(cell.iso, { setZone: true });
  if (!parsed.isValid) return cell.text;
  const local = parsed.toLocal().setLocale(locale());
  const midnight = local.hour === 0 && local.minute === 0 && local.second === 0;
  try {
    return local.toFormat(midnight ? settings.defaultDateFormat : settings.defaultDateTimeFormat);
  } catch {
    return cell.text; // a format Luxon refuses: the server's rendering
  }
}

/** Today in `format` (task completion dates). */
export function today(format: string, now: Date = new Date()): string {
  return DateTime.fromJSDate(now).setLocale(locale()).toFormat(format);
}

/** The calendar day of a date cell in its own zone, `yyyy-MM-dd` (what CALENDAR files it under). */
export function dayOf(cell: DateCell): string | null {
  const parsed = DateTime.fromISO(cell.iso, { setZone: true });
  return parsed.isValid ? parsed.toFormat("yyyy-MM-dd") : null;
}
