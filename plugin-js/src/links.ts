/**
 * Links to notes, everywhere the plugin shows one (query results, the sidebar, the dashboard,
 * the search modal), made the way Obsidian makes its own: `a.internal-link` with `data-href`,
 * opened with `openLinkText` in the pane the click asks for (Ctrl/Cmd-click or a middle click: a
 * new tab), and a `hover-link` event for the Page preview plugin on hover. The listeners sit on
 * the anchor, so they go away with the rendered element.
 */
import { App, HoverParent, Keymap, PaneType } from "obsidian";

/** Hover sources registered with Page preview (main.ts): query results in notes, and views. */
export const RESULTS_HOVER_SOURCE = "vaultql-results";
export const VIEWS_HOVER_SOURCE = "vaultql";

export interface LinkContext {
  app: App;
  /** The note the link is shown for: relative links resolve from it. */
  sourcePath: string;
  hoverParent: HoverParent;
  hoverSource: string;
}

export type OpenIn = PaneType | boolean;

export interface LinkOptions {
  /** What Obsidian resolves: a path, with `#heading` or `#^block`. */
  linktext: string;
  text: string;
  cls?: string;
  /** Opens somewhere other than `linktext` alone (e.g. at a line); default `openLinkText`. */
  open?: (newLeaf: OpenIn) => unknown;
}

export function internalLink(parent: HTMLElement, ctx: LinkContext, options: LinkOptions): HTMLAnchorElement {
  const anchor = parent.createEl("a", {
    cls: options.cls ? `internal-link ${options.cls}` : "internal-link",
    text: options.text,
    href: options.linktext,
    attr: { "data-href": options.linktext, target: "_blank", rel: "noopener" },
  });
  wireLink(anchor, ctx, options.linktext, options.open);
  return anchor;
}

/** Click, middle click and hover behaviour of an internal link, on any element. */
export function wireLink(
  el: HTMLElement,
  ctx: LinkContext,
  linktext: string,
  open?: (newLeaf: OpenIn) => unknown,
): void {
  const go = (evt: MouseEvent) => {
    // Ours alone: the reading view's own link handler must not open it a second time.
    evt.preventDefault();
    evt.stopPropagation();
    const newLeaf = Keymap.isModEvent(evt);
    if (open) void open(newLeaf);
    else void ctx.app.workspace.openLinkText(linktext, ctx.sourcePath, newLeaf);
  };
  el.addEventListener("click", (evt) => {
    if (evt.button === 0) go(evt);
  });
  el.addEventListener("auxclick", (evt) => {
    if (evt.button === 1) go(evt);
  });
  el.addEventListener("mouseover", (evt) => {
    evt.stopPropagation();
    ctx.app.workspace.trigger("hover-link", {
      event: evt,
      source: ctx.hoverSource,
      hoverParent: ctx.hoverParent,
      targetEl: el,
      linktext,
      sourcePath: ctx.sourcePath,
    });
  });
}
