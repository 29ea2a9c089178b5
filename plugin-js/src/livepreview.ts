/**
 * Inline queries in the editor's live preview: a CodeMirror view plugin that shows each
 * `= expression` inline code span as its value (the same InlineQuery as reading view), except
 * where the cursor or selection touches it, so it can be edited. Spans are found with
 * Obsidian's own syntax tree (its inline-code nodes), never by reading the Markdown here.
 * Source mode shows the text as written.
 */
import { syntaxTree } from "@codemirror/language";
import { RangeSetBuilder, type Extension } from "@codemirror/state";
import {
  Decoration,
  type DecorationSet,
  EditorView,
  ViewPlugin,
  type ViewUpdate,
  WidgetType,
} from "@codemirror/view";
import { editorInfoField, editorLivePreviewField } from "obsidian";
import { classifyInline, InlineQuery } from "./inline";
import type { LiveHost } from "./live";

class InlineQueryWidget extends WidgetType {
  private static readonly children = new WeakMap<HTMLElement, InlineQuery>();

  constructor(
    readonly expression: string,
    readonly sourcePath: string,
    private readonly host: LiveHost,
  ) {
    super();
  }

  override eq(other: InlineQueryWidget): boolean {
    return other.expression === this.expression && other.sourcePath === this.sourcePath;
  }

  toDOM(): HTMLElement {
    const span = createSpan({ cls: "vaultql-inline-lp" });
    const child = new InlineQuery(span, this.host, this.expression, this.sourcePath);
    InlineQueryWidget.children.set(span, child);
    child.load();
    return span;
  }

  override destroy(dom: HTMLElement): void {
    InlineQueryWidget.children.get(dom)?.unload();
    InlineQueryWidget.children.delete(dom);
  }

  override ignoreEvent(): boolean {
    return true; // clicks on the value (its links) are the value's, not the editor's
  }
}

function livePreview(view: EditorView): boolean {
  return view.state.field(editorLivePreviewField, false) === true;
}

function decorations(view: EditorView, host: LiveHost): DecorationSet {
  if (!livePreview(view)) return Decoration.none;
  const path = view.state.field(editorInfoField, false)?.file?.path ?? "";
  const settings = host.monitor.state.settings;
  const { doc, selection } = view.state;
  const builder = new RangeSetBuilder<Decoration>();
  const tree = syntaxTree(view.state);
  for (const { from, to } of view.visibleRanges) {
    tree.iterate({
      from,
      to,
      enter: (node) => {
        const name = node.type.name;
        if (!name.includes("inline-code") || name.includes("formatting")) return;
        const found = classifyInline(doc.sliceString(node.from, node.to), settings);
        if (found?.kind !== "query") return;
        // The backticks around the code belong to the span too.
        let start = node.from;
        let end = node.to;
        while (start > 0 && doc.sliceString(start - 1, start) === "`") start--;
        while (end < doc.length && doc.sliceString(end, end + 1) === "`") end++;
        if (selection.ranges.some((r) => r.from <= end && r.to >= start)) return; // being edited
        builder.add(
          start,
          end,
          Decoration.replace({ widget: new InlineQueryWidget(found.expression, path, host) }),
        );
      },
    });
  }
  return builder.finish();
}

export function inlineQueryEditorExtension(host: LiveHost): Extension {
  return ViewPlugin.fromClass(
    class {
      decorations: DecorationSet;

      constructor(view: EditorView) {
        this.decorations = decorations(view, host);
      }

      update(update: ViewUpdate): void {
        const modeChanged =
          update.startState.field(editorLivePreviewField, false) !==
          update.state.field(editorLivePreviewField, false);
        if (
          update.docChanged ||
          update.viewportChanged ||
          update.selectionSet ||
          modeChanged ||
          syntaxTree(update.startState) !== syntaxTree(update.state)
        ) {
          this.decorations = decorations(update.view, host);
        }
      }
    },
    { decorations: (plugin) => plugin.decorations },
  );
}
