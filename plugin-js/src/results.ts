/** A whole query result (table, list, task list) and query errors -> DOM. */
import type { ApiError, Cell, QueryResult, TaskCell } from "./types";
import { RenderContext, renderCell, renderTask } from "./cells";

export function renderResult(el: HTMLElement, result: QueryResult, ctx: RenderContext): void {
  switch (result.type) {
    case "table":
      renderTable(el, result, ctx);
      break;
    case "task":
      renderTasks(el, result.tasks ?? [], ctx);
      break;
    case "list":
      renderList(el, result.items ?? [], ctx);
      break;
    default:
      renderList(el, result.entries ?? result.items ?? [], ctx);
  }
  if (result.count === 0) el.createDiv({ cls: "vaultql-empty", text: "No results." });
}

function renderTable(el: HTMLElement, result: QueryResult, ctx: RenderContext): void {
  const table = el.createEl("table", { cls: "vaultql-table dataview table-view-table" });
  const head = table.createEl("thead").createEl("tr");
  result.headers.forEach((header, i) => {
    const th = head.createEl("th", { text: header });
    if (i === 0) th.createSpan({ cls: "vaultql-count", text: ` (${result.count})` });
  });
  const body = table.createEl("tbody");
  for (const row of result.rows ?? []) {
    const tr = body.createEl("tr");
    for (const cell of row) renderCell(tr.createEl("td"), cell, ctx);
  }
}

function renderList(el: HTMLElement, items: Cell[], ctx: RenderContext): void {
  const list = el.createEl("ul", { cls: "vaultql-list-view dataview list-view-ul" });
  for (const item of items) renderCell(list.createEl("li"), item, ctx);
}

function renderTasks(el: HTMLElement, tasks: Cell[], ctx: RenderContext): void {
  const list = el.createEl("ul", { cls: "contains-task-list vaultql-tasks" });
  for (const task of tasks) {
    if (task && typeof task === "object" && !Array.isArray(task) && task.type === "group") {
      // After GROUP BY: a heading per group, then its tasks (groups may nest).
      const group = list.createEl("li", { cls: "vaultql-group" });
      renderCell(group.createEl("h4", { cls: "vaultql-group-key" }), task.key, ctx);
      renderTasks(group, task.rows, ctx);
    } else if (task && typeof task === "object" && !Array.isArray(task) && "children" in task) {
      renderTask(list, task as TaskCell, ctx);
    } else {
      renderCell(list.createEl("li"), task, ctx);
    }
  }
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
