/**
 * A whole query result (table, list, task list, calendar) and query errors -> DOM, with the
 * vault's Dataview settings: the ID column's name, result and group counts, the empty-result
 * message.
 */
import { renderCalendar, type CalendarState } from "./calendar";
import { renderCell, type RenderContext } from "./cells";
import { renderTaskList } from "./tasks";
import type { ApiError, Cell, QueryResult } from "./types";

/** The header the server gives an unnamed ID column. */
const SERVER_ID_COLUMN = "File";

export function renderResult(
  el: HTMLElement,
  result: QueryResult,
  ctx: RenderContext,
  calendar: CalendarState = { month: null },
): void {
  const items = result.rows ?? result.tasks ?? result.items ?? result.entries ?? [];
  if (items.length === 0 && ctx.settings.warnOnEmptyResult) {
    el.createDiv({
      cls: "vaultql-empty dataview dataview-error-box",
      text: `No results to show for ${result.type} query.`,
    });
    return;
  }
  switch (result.type) {
    case "table":
      renderTable(el, result, ctx);
      break;
    case "task":
      renderTaskList(el, result.tasks ?? [], ctx);
      break;
    case "calendar":
      renderCalendar(el, result.entries ?? [], ctx, calendar);
      break;
    default:
      renderList(el, result.items ?? [], ctx);
  }
}

function isLinkCell(cell: Cell | undefined): boolean {
  return cell !== null && typeof cell === "object" && !Array.isArray(cell) && cell.type === "link";
}

function renderTable(el: HTMLElement, result: QueryResult, ctx: RenderContext): void {
  const rows = result.rows ?? [];
  const headers = [...result.headers];
  // The ID column (a link per row) takes the vault's tableIdColumnName, as in Dataview.
  if (headers[0] === SERVER_ID_COLUMN && rows.length > 0 && rows.every((row) => isLinkCell(row[0]))) {
    headers[0] = ctx.settings.tableIdColumnName;
  }
  const table = el.createEl("table", { cls: "vaultql-table dataview table-view-table" });
  const head = table.createEl("thead").createEl("tr");
  headers.forEach((header, i) => {
    const th = head.createEl("th", { text: header });
    if (i === 0 && ctx.settings.showResultCount) {
      th.createSpan({ cls: "vaultql-count dataview small-text", text: ` (${result.count})` });
    }
  });
  const body = table.createEl("tbody");
  for (const row of rows) {
    const tr = body.createEl("tr");
    for (const cell of row) renderCell(tr.createEl("td"), cell, ctx);
  }
}

function renderList(el: HTMLElement, items: Cell[], ctx: RenderContext): void {
  const list = el.createEl("ul", { cls: "vaultql-list-view dataview list-view-ul" });
  for (const item of items) renderCell(list.createEl("li"), item, ctx);
}

/** The server's error, with the position and a caret under the offending column. */
export function renderError(el: HTMLElement, error: ApiError, title = "VaultQL"): void {
  const box = el.createDiv({ cls: "vaultql-error" });
  box.setAttr("data-code", error.code);
  box.createEl("strong", { cls: "vaultql-error-title", text: `${title}: ${error.code} error` });
  box.createDiv({ cls: "vaultql-error-message", text: error.message });
  if (error.line !== undefined && error.column !== undefined) {
    box.createDiv({
      cls: "vaultql-error-position",
      text: `line ${error.line}, column ${error.column}`,
    });
  }
  if (error.context) box.createEl("pre", { cls: "vaultql-error-context", text: error.context });
}
