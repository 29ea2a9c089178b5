/**
 * CALENDAR results as Dataview shows them: a month grid with one dot per result on its date,
 * starting at the current month, with buttons to the previous and next month and back to
 * today. Each dot is an internal link to its note (hover preview, Ctrl/Cmd-click for a new
 * tab); clicking a day's number opens its first note, as in Dataview.
 */
import { DateTime, Info } from "luxon";
import { dayOf, locale } from "./dates";
import type { RenderContext } from "./cells";
import { internalLink, wireLink } from "./links";
import { linktext, noteName } from "./open";
import type { CalendarEntry, Cell, DateCell, LinkCell } from "./types";

/** Which month a calendar shows; kept by its block so a refresh stays on the same month. */
export interface CalendarState {
  month: string | null; // yyyy-MM
}

/** At most this many dots per day; the rest are counted ("+3"). */
const MAX_DOTS = 6;

function isDate(cell: Cell): cell is DateCell {
  return cell !== null && typeof cell === "object" && !Array.isArray(cell) && cell.type === "date";
}

function isLink(cell: Cell): cell is LinkCell {
  return cell !== null && typeof cell === "object" && !Array.isArray(cell) && cell.type === "link";
}

/** Entries by day (`yyyy-MM-dd`), in result order; entries without a date are left out. */
export function entriesByDay(entries: CalendarEntry[]): Map<string, LinkCell[]> {
  const days = new Map<string, LinkCell[]>();
  for (const entry of entries) {
    if (!isDate(entry.date) || !isLink(entry.link)) continue;
    const day = dayOf(entry.date);
    if (day === null) continue;
    const list = days.get(day) ?? [];
    list.push(entry.link);
    days.set(day, list);
  }
  return days;
}

export function renderCalendar(
  el: HTMLElement,
  entries: CalendarEntry[],
  ctx: RenderContext,
  state: CalendarState,
): void {
  const days = entriesByDay(entries);
  const box = el.createDiv({ cls: "vaultql-calendar" });
  const draw = () => {
    box.empty();
    const now = DateTime.local().setLocale(locale());
    const month = state.month
      ? DateTime.fromFormat(state.month, "yyyy-MM").setLocale(locale())
      : now.startOf("month");
    const nav = box.createDiv({ cls: "vaultql-calendar-nav" });
    const go = (target: DateTime | null, label: string, cls: string, text: string) => {
      const button = nav.createEl("button", { cls: `vaultql-calendar-${cls}`, text });
      button.setAttr("aria-label", label);
      button.addEventListener("click", () => {
        state.month = target ? target.toFormat("yyyy-MM") : null;
        draw();
      });
    };
    go(month.minus({ months: 1 }), "Previous month", "prev", "‹");
    nav.createSpan({ cls: "vaultql-calendar-title", text: month.toFormat("LLLL yyyy") });
    go(null, "This month", "today", "Today");
    go(month.plus({ months: 1 }), "Next month", "next", "›");

    const table = box.createEl("table", { cls: "vaultql-calendar-grid" });
    const head = table.createEl("thead").createEl("tr");
    // Sunday first, as Dataview's calendar shows it in English.
    const names = Info.weekdays("short", { locale: locale() });
    for (const name of [names[6], ...names.slice(0, 6)]) head.createEl("th", { text: name ?? "" });
    const body = table.createEl("tbody");
    const first = month.startOf("month");
    const next = first.plus({ months: 1 });
    let cursor = first.minus({ days: first.weekday % 7 }); // the Sunday starting the first week
    const todayKey = now.toFormat("yyyy-MM-dd");
    while (cursor < next) {
      const row = body.createEl("tr");
      for (let i = 0; i < 7; i++) {
        const key = cursor.toFormat("yyyy-MM-dd");
        const cell = row.createEl("td", { cls: "vaultql-calendar-day" });
        cell.setAttr("data-date", key);
        if (cursor.month !== month.month) cell.addClass("is-adjacent-month");
        if (key === todayKey) cell.addClass("is-today");
        const links = days.get(key) ?? [];
        const firstLink = links[0];
        const number = cell.createDiv({ cls: "vaultql-calendar-number", text: String(cursor.day) });
        if (firstLink) {
          cell.addClass("has-notes");
          wireLink(number, ctx, linktext(firstLink.path, firstLink.subpath));
          cell.setAttr("title", links.map((l) => l.display ?? noteName(l.path)).join("\n"));
          const dots = cell.createDiv({ cls: "vaultql-calendar-dots" });
          for (const link of links.slice(0, MAX_DOTS)) {
            const dot = internalLink(dots, ctx, {
              linktext: linktext(link.path, link.subpath),
              text: "",
              cls: "vaultql-calendar-dot",
            });
            dot.setAttr("aria-label", link.display ?? noteName(link.path));
          }
          if (links.length > MAX_DOTS) {
            dots.createSpan({ cls: "vaultql-calendar-more", text: `+${links.length - MAX_DOTS}` });
          }
        }
        cursor = cursor.plus({ days: 1 });
      }
    }
  };
  draw();
}
