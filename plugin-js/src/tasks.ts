/**
 * Task lists as Dataview shows them: each result task with all of its children, a task whose
 * parent is also shown appearing only under that parent (never twice, inside groups too), group
 * headings with their counts, and checkboxes that tick the task in its note (taskedit.ts).
 */
import { Keymap, Notice, TFile } from "obsidian";
import { noteName } from "./open";
import { renderCell, renderMarkdown, type RenderContext } from "./cells";
import { tickTask } from "./taskedit";
import type { Cell, GroupCell, TaskCell } from "./types";

export function isTask(cell: Cell): cell is TaskCell {
  return (
    cell !== null &&
    typeof cell === "object" &&
    !Array.isArray(cell) &&
    (cell.type === "task" || cell.type === "list-item")
  );
}

export function isGroup(cell: Cell): cell is GroupCell {
  return cell !== null && typeof cell === "object" && !Array.isArray(cell) && cell.type === "group";
}

function taskId(task: TaskCell): string {
  return `${task.path}\u0000${task.line}`;
}

/** The items to show at this level: those not already shown under another item of it. */
export function topLevel(items: Cell[]): Cell[] {
  const nested = new Set<string>();
  const collect = (task: TaskCell) => {
    for (const child of task.children) {
      nested.add(taskId(child));
      collect(child);
    }
  };
  for (const item of items) if (isTask(item)) collect(item);
  const seen = new Set<string>();
  return items.filter((item) => {
    if (!isTask(item)) return true;
    const id = taskId(item);
    if (nested.has(id) || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** A TASK result (or a group's rows): tasks, list items and nested groups. */
export function renderTaskList(parent: HTMLElement, items: Cell[], ctx: RenderContext): void {
  const list = parent.createEl("ul", { cls: "contains-task-list vaultql-tasks" });
  for (const item of topLevel(items)) {
    if (isGroup(item)) {
      // After GROUP BY: a heading per group with its count, then its tasks (groups may nest).
      const group = list.createEl("li", { cls: "vaultql-group" });
      const heading = group.createEl("h4", { cls: "vaultql-group-key" });
      renderCell(heading, item.key, ctx);
      if (ctx.settings.showResultCount) {
        const count = item.count ?? groupSize(item);
        heading.createSpan({ cls: "vaultql-count dataview small-text", text: ` ${count}` });
      }
      renderTaskList(group, item.rows, ctx);
    } else if (isTask(item)) {
      renderTask(list, item, ctx);
    } else {
      renderCell(list.createEl("li"), item, ctx);
    }
  }
}

function groupSize(group: GroupCell): number {
  return group.rows.reduce<number>((n, row) => n + (isGroup(row) ? groupSize(row) : 1), 0);
}

/** One task or list item with its children; a checkbox ticks it in the note. */
export function renderTask(list: HTMLElement, task: TaskCell, ctx: RenderContext): void {
  const isTaskItem = task.type === "task";
  const item = list.createEl("li", { cls: isTaskItem ? "task-list-item" : "vaultql-list-item" });
  // Not "data-line": Obsidian's reading view reads that as a line of the note shown, and a
  // task in a result belongs to another note.
  item.setAttr("data-source-line", String(task.line));
  if (isTaskItem) {
    item.setAttr("data-task", task.status ?? " ");
    if (task.checked) item.addClass("is-checked");
    const box = item.createEl("input", { cls: "task-list-item-checkbox", type: "checkbox" });
    box.checked = task.checked === true;
    // Ours alone: the reading view's own checkbox handling would edit the note shown instead.
    box.addEventListener("click", (evt) => evt.stopPropagation());
    box.addEventListener("change", () => void toggle(box, item, task, ctx));
  }
  const text = item.createSpan({ cls: "vaultql-task-text" });
  renderMarkdown(text, task.text, ctx);
  const jump = item.createEl("a", { cls: "vaultql-task-source", text: "↗", href: task.path });
  jump.setAttr("aria-label", `${noteName(task.path)}, line ${task.line + 1}`);
  jump.addEventListener("click", (evt) => {
    evt.preventDefault();
    evt.stopPropagation();
    const file = ctx.app.vault.getAbstractFileByPath(task.path);
    if (file instanceof TFile) {
      const leaf = ctx.app.workspace.getLeaf(Keymap.isModEvent(evt));
      void leaf.openFile(file, { eState: { line: task.line } });
    }
  });
  if (task.children.length > 0) {
    const sub = item.createEl("ul", { cls: "contains-task-list" });
    for (const child of task.children) renderTask(sub, child, ctx);
  }
}

async function toggle(box: HTMLInputElement, item: HTMLElement, task: TaskCell, ctx: RenderContext): Promise<void> {
  const checked = box.checked;
  box.disabled = true;
  try {
    const outcome = await tickTask(ctx.app, task, checked, ctx.settings);
    if (outcome === "ticked") {
      // Shown at once; the server sees the edit and the block re-renders at its next revision.
      item.setAttr("data-task", checked ? "x" : " ");
      item.toggleClass("is-checked", checked);
      return;
    }
    box.checked = !checked;
    new Notice(
      outcome === "missing"
        ? `${noteName(task.path)} no longer exists.`
        : `The task changed in ${noteName(task.path)} since VaultQL read it; nothing was written. Refreshing.`,
    );
    ctx.refresh?.();
  } catch (err) {
    box.checked = !checked;
    new Notice(`Could not update the task: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    box.disabled = false;
  }
}
