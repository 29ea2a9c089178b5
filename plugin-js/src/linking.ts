/**
 * Turning a plain-text mention into a link, only when the user clicks "link": the server gives
 * the exact span (0-based line, code-point column, text); the editor replaces exactly that text
 * with `[[Target|text]]` through Obsidian's editor API, after checking it is still there.
 */
import { App, Editor, MarkdownView, TFile } from "obsidian";
import type { Mention } from "./types";

/** The open Markdown editor showing `path`, if any. */
export function editorFor(app: App, path: string): Editor | null {
  for (const leaf of app.workspace.getLeavesOfType("markdown")) {
    const view = leaf.view;
    if (view instanceof MarkdownView && view.file?.path === path) return view.editor;
  }
  return null;
}

/** The link text Obsidian would write for `target` from `sourcePath` (shortest unambiguous). */
export function linkTarget(app: App, target: string, sourcePath: string): string {
  const file = app.vault.getAbstractFileByPath(target);
  if (file instanceof TFile) return app.metadataCache.fileToLinktext(file, sourcePath, true);
  return target.endsWith(".md") ? target.slice(0, -3) : target;
}

/** Code-point column -> the editor's UTF-16 `ch` on that line. */
export function utf16Column(line: string, codePoints: number): number {
  return Array.from(line).slice(0, codePoints).join("").length;
}

export type LinkOutcome = "linked" | "no-editor" | "changed";

export function insertLink(
  app: App,
  editor: Editor | null,
  sourcePath: string,
  target: string,
  mention: Mention,
): LinkOutcome {
  if (!editor) return "no-editor";
  if (mention.line >= editor.lineCount()) return "changed";
  const lineText = editor.getLine(mention.line);
  const from = { line: mention.line, ch: utf16Column(lineText, mention.column) };
  const to = { line: mention.line, ch: from.ch + mention.text.length };
  // The note may have been edited since the server read it: never replace other text.
  if (editor.getRange(from, to) !== mention.text) return "changed";
  editor.replaceRange(`[[${linkTarget(app, target, sourcePath)}|${mention.text}]]`, from, to);
  return "linked";
}
