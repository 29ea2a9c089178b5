/** Opening notes from the plugin's views: at a heading, or at a line. */
import { App, PaneType, TFile } from "obsidian";

export interface Target {
  path: string;
  heading?: string | null;
  line?: number | null;
}

/** The link text Obsidian resolves for `path` with an optional `#heading` (or `#^block`). */
export function linktext(path: string, subpath?: string | null): string {
  return subpath ? `${path}#${subpath}` : path;
}

export async function openTarget(
  app: App,
  target: Target,
  sourcePath: string,
  newLeaf: PaneType | boolean = false,
): Promise<void> {
  if (target.heading) {
    await app.workspace.openLinkText(linktext(target.path, target.heading), sourcePath, newLeaf);
    return;
  }
  const file = app.vault.getAbstractFileByPath(target.path);
  if (file instanceof TFile && target.line !== undefined && target.line !== null) {
    // eState.line scrolls the editor to a 0-based line, as search results do.
    await app.workspace.getLeaf(newLeaf).openFile(file, { eState: { line: target.line } });
    return;
  }
  await app.workspace.openLinkText(target.path, sourcePath, newLeaf);
}

/** "Projects/Website Redesign.md" -> "Website Redesign". */
export function noteName(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return base.endsWith(".md") ? base.slice(0, -3) : base;
}
