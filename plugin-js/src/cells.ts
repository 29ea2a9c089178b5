/**
 * Typed result cells -> DOM, as Dataview renders values. The server has already evaluated and
 * typed every value; this module only chooses the element for each type (internal links,
 * embeds, dates in the vault's formats, lists, `<function>`) with the vault's Dataview settings.
 * Strings are handed to Obsidian's own Markdown renderer, never parsed here.
 */
import { Component, MarkdownRenderer } from "obsidian";
import { formatDate } from "./dates";
import type { DataviewSettings } from "./dvsettings";
import { internalLink, type LinkContext } from "./links";
import { linktext, noteName } from "./open";
import type { Cell, ExternalLinkCell, LinkCell } from "./types";
import { renderTask } from "./tasks";

export interface RenderContext extends LinkContext {
  component: Component;
  settings: DataviewSettings;
  /** Re-run what produced this rendering (a task that changed underneath asks for it). */
  refresh?: () => void;
}

/** Schemes an `elink()` may open; anything else is shown as plain text. */
const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:", "obsidian:"]);

const IMAGE_EXTENSIONS = new Set(["png", "jpg", "jpeg", "gif", "bmp", "svg", "webp", "avif", "ico", "tif", "tiff"]);

/**
 * One value. `depth` counts the lists and objects around it (Dataview stops at
 * `maxRecursiveRenderDepth` with "..."); `inline` lays lists out on one line (inline queries).
 */
export function renderCell(parent: HTMLElement, cell: Cell, ctx: RenderContext, depth = 0, inline = false): void {
  if (depth > ctx.settings.maxRecursiveRenderDepth) {
    parent.appendText("...");
    return;
  }
  if (cell === null || cell === undefined) {
    renderNull(parent, ctx);
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
    renderList(parent, cell, ctx, depth, inline);
    return;
  }
  switch (cell.type) {
    case "link":
      if (cell.embed) renderEmbed(parent, cell, ctx);
      else renderLink(parent, cell, ctx);
      return;
    case "date":
      parent.createEl("time", {
        cls: "vaultql-date",
        text: formatDate(cell, ctx.settings),
        attr: { datetime: cell.iso },
      });
      return;
    case "duration":
      parent.createSpan({ cls: "vaultql-duration", text: cell.text });
      return;
    case "number":
      parent.createSpan({ cls: "vaultql-number", text: cell.value });
      return;
    case "external-link":
      renderExternalLink(parent, cell);
      return;
    case "function":
      parent.createSpan({ cls: "vaultql-function", text: "<function>" });
      return;
    case "object": {
      const entries = Object.entries(cell.value);
      if (inline) {
        const span = parent.createSpan({ cls: "vaultql-object" });
        entries.forEach(([key, value], i) => {
          if (i > 0) span.appendText(", ");
          span.createSpan({ cls: "vaultql-key", text: `${key}: ` });
          renderCell(span, value, ctx, depth + 1, true);
        });
        return;
      }
      const list = parent.createEl("ul", { cls: "vaultql-object" });
      for (const [key, value] of entries) {
        const item = list.createEl("li");
        item.createSpan({ cls: "vaultql-key", text: `${key}: ` });
        renderCell(item, value, ctx, depth + 1);
      }
      return;
    }
    case "pair":
      renderCell(parent, cell.key, ctx, depth, inline);
      parent.appendText(": ");
      renderCell(parent, cell.value, ctx, depth, inline);
      return;
    case "task":
    case "list-item": {
      const list = parent.createEl("ul", { cls: "contains-task-list" });
      renderTask(list, cell, ctx);
      return;
    }
    case "group":
      renderCell(parent, cell.key, ctx, depth, inline);
      renderCell(parent, cell.rows, ctx, depth, inline);
      return;
  }
}

function renderNull(parent: HTMLElement, ctx: RenderContext): void {
  const text = ctx.settings.renderNullAs;
  const span = parent.createSpan({ cls: "vaultql-null" });
  // Dataview renders the setting as Markdown; its default "\-" is an escaped dash.
  if (text === "\\-" || text === "-") span.setText("-");
  else if (text !== "") renderMarkdown(span, text, ctx);
}

function renderList(parent: HTMLElement, items: Cell[], ctx: RenderContext, depth: number, inline: boolean): void {
  if (inline) {
    const span = parent.createSpan({ cls: "vaultql-list-inline" });
    if (items.length === 0) span.setText("<Empty List>");
    items.forEach((item, i) => {
      if (i > 0) span.appendText(", ");
      renderCell(span, item, ctx, depth + 1, true);
    });
    return;
  }
  if (items.length === 0) return;
  const list = parent.createEl("ul", { cls: "vaultql-list" });
  for (const item of items) renderCell(list.createEl("li"), item, ctx, depth + 1);
}

function linkSubpath(cell: LinkCell): string | null {
  return cell.subpath && cell.link_type === "block" ? `^${cell.subpath}` : cell.subpath;
}

export function renderLink(parent: HTMLElement, cell: LinkCell, ctx: RenderContext): HTMLElement {
  const text =
    cell.display ?? (cell.subpath ? `${noteName(cell.path)} > ${cell.subpath}` : noteName(cell.path));
  return internalLink(parent, ctx, { linktext: linktext(cell.path, linkSubpath(cell)), text });
}

/** `embed(link)` and `![[…]]` values: images inline, anything else as Obsidian embeds it. */
function renderEmbed(parent: HTMLElement, cell: LinkCell, ctx: RenderContext): void {
  const file = ctx.app.metadataCache.getFirstLinkpathDest(cell.path, ctx.sourcePath);
  if (file && IMAGE_EXTENSIONS.has(file.extension.toLowerCase())) {
    const img = parent.createEl("img", {
      cls: "vaultql-embed-image",
      attr: { src: ctx.app.vault.getResourcePath(file), alt: file.basename },
    });
    // Obsidian's size syntax in the display text: `![[a.png|100]]`, `![[a.png|100x80]]`.
    const size = /^\s*(\d+)(?:\s*x\s*(\d+))?\s*$/.exec(cell.display ?? "");
    if (size) {
      img.setAttr("width", size[1] ?? null);
      if (size[2]) img.setAttr("height", size[2]);
    } else if (cell.display) {
      img.setAttr("alt", cell.display);
    }
    return;
  }
  const target = linktext(cell.path, linkSubpath(cell));
  const span = parent.createSpan({ cls: "vaultql-embed" });
  span.setAttr("data-href", target);
  renderMarkdown(span, `![[${target}${cell.display ? `|${cell.display}` : ""}]]`, ctx);
}

function renderExternalLink(parent: HTMLElement, cell: ExternalLinkCell): void {
  const text = cell.display ?? cell.url;
  let scheme: string | null = null;
  try {
    scheme = new URL(cell.url).protocol.toLowerCase();
  } catch {
    scheme = null;
  }
  if (scheme === null || !SAFE_SCHEMES.has(scheme)) {
    // javascript:, data:, file: and the like are never made clickable.
    const span = parent.createSpan({ cls: "vaultql-unsafe-link", text });
    span.setAttr("title", cell.url);
    return;
  }
  parent.createEl("a", {
    cls: "external-link",
    text,
    href: cell.url,
    attr: { target: "_blank", rel: "noopener nofollow" },
  });
}

/** Obsidian renders the Markdown; the text shows at once, inline, until it has. */
export function renderMarkdown(el: HTMLElement, text: string, ctx: RenderContext): void {
  el.setText(text);
  void MarkdownRenderer.render(ctx.app, text, el, ctx.sourcePath, ctx.component).then(() => {
    // The renderer adds the text again inside a <p>: keep only the rendered copy, inline.
    const first = el.firstChild;
    if (first && first.nodeType === 3) first.remove();
    const para = el.children.length === 1 ? el.children[0] : null;
    if (para && para.tagName === "P") para.replaceWith(...Array.from(para.childNodes));
  });
}
