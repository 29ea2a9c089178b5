/**
 * Typed result cells -> DOM. The server has already evaluated and typed every value; this
 * module only chooses the element for each type (links as internal links, dates as their text,
 * lists as lists). Strings are handed to Obsidian's own Markdown renderer, never parsed here.
 */
import { App, Component, Keymap, MarkdownRenderer, TFile } from "obsidian";
import type { Cell, LinkCell, TaskCell } from "./types";
import { linktext, noteName } from "./open";

export interface RenderContext {
  app: App;
  sourcePath: string;
  component: Component;
}

export function renderCell(parent: HTMLElement, cell: Cell, ctx: RenderContext): void {
  if (cell === null || cell === undefined) {
    parent.createSpan({ cls: "vaultql-null", text: "-" });
    return;
  }
  if (typeof cell === "string") {
    renderMarkdown(parent.createSpan({ cls: "vaultql-string" }), cell, ctx);
    return;
  }
  if (typeof cell === "number" || typeof cell === "boolean") {
    parent.createSpan({ cls: `vaultql-${typeof cell}`, text: String(cell) });
    return;
  }
  if (Array.isArray(cell)) {
    if (cell.length === 0) return;
    const list = parent.createEl("ul", { cls: "vaultql-list" });
    for (const item of cell) renderCell(list.createEl("li"), item, ctx);
    return;
  }
  switch (cell.type) {
    case "link":
      renderLink(parent, cell, ctx);
      return;
    case "date":
      parent.createEl("time", { cls: "vaultql-date", text: cell.text, attr: { datetime: cell.iso } });
      return;
    case "duration":
      parent.createSpan({ cls: "vaultql-duration", text: cell.text });
      return;
    case "number":
      parent.createSpan({ cls: "vaultql-number", text: cell.value });
      return;
    case "external-link":
      parent.createEl("a", {
        cls: "external-link",
        text: cell.display ?? cell.url,
        href: cell.url,
        attr: { target: "_blank", rel: "noopener" },
      });
      return;
    case "object": {
      const list = parent.createEl("ul", { cls: "vaultql-object" });
      for (const [key, value] of Object.entries(cell.value)) {
        const item = list.createEl("li");
        item.createSpan({ cls: "vaultql-key", text: `${key}: ` });
        renderCell(item, value, ctx);
      }
      return;
    }
    case "pair":
      renderCell(parent, cell.key, ctx);
      parent.appendText(": ");
      renderCell(parent, cell.value, ctx);
      return;
    case "task":
    case "list-item": {
      const list = parent.createEl("ul", { cls: "contains-task-list" });
      renderTask(list, cell, ctx);
      return;
    }
    case "group":
      renderCell(parent, cell.key, ctx);
      renderCell(parent, cell.rows, ctx);
      return;
  }
}

export function renderLink(parent: HTMLElement, cell: LinkCell, ctx: RenderContext): HTMLElement {
  const subpath = cell.subpath && cell.link_type === "block" ? `^${cell.subpath}` : cell.subpath;
  const href = linktext(cell.path, subpath);
  const text =
    cell.display ?? (cell.subpath ? `${noteName(cell.path)} > ${cell.subpath}` : noteName(cell.path));
  const anchor = parent.createEl("a", {
    cls: "internal-link",
    text,
    href,
    attr: { "data-href": href, target: "_blank", rel: "noopener" },
  });
  // The element belongs to the rendered block: the listener goes away with it.
  anchor.addEventListener("click", (evt) => {
    evt.preventDefault();
    void ctx.app.workspace.openLinkText(href, ctx.sourcePath, Keymap.isModEvent(evt));
  });
  return anchor;
}

/** One task or list item with its children; checkboxes show the state and are read-only. */
export function renderTask(list: HTMLElement, task: TaskCell, ctx: RenderContext): void {
  const isTask = task.type === "task";
  const item = list.createEl("li", { cls: isTask ? "task-list-item" : "vaultql-list-item" });
  if (isTask) {
    item.setAttr("data-task", task.status ?? " ");
    if (task.checked) item.addClass("is-checked");
    const box = item.createEl("input", {
      cls: "task-list-item-checkbox",
      type: "checkbox",
    });
    box.checked = task.checked === true;
    box.disabled = true; // the server never writes to the vault, and neither does a query block
  }
  const text = item.createSpan({ cls: "vaultql-task-text" });
  renderMarkdown(text, task.text, ctx);
  const jump = item.createEl("a", { cls: "vaultql-task-source", text: "↗", href: task.path });
  jump.setAttr("aria-label", `${noteName(task.path)}, line ${task.line + 1}`);
  jump.addEventListener("click", (evt) => {
    evt.preventDefault();
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

function renderMarkdown(el: HTMLElement, text: string, ctx: RenderContext): void {
  el.setText(text); // shown at once; Obsidian's renderer then replaces it
  void MarkdownRenderer.render(ctx.app, text, el, ctx.sourcePath, ctx.component).then(() => {
    // The renderer adds the text again inside a <p>: keep only the rendered copy, inline.
    const first = el.firstChild;
    if (first && first.nodeType === 3) first.remove();
    const para = el.children.length === 1 ? el.children[0] : null;
    if (para && para.tagName === "P") para.replaceWith(...Array.from(para.childNodes));
  });
}
