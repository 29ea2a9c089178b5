/**
 * Inline queries: `= expression` in inline code (the prefix is the vault's Dataview setting
 * `inlineQueryPrefix`) shows the expression's value, evaluated by the server with the note as
 * `origin` (`POST /api/v1/eval`), kept current like a query block. Inline DataviewJS (`$= …`,
 * `inlineJsQueryPrefix`) is never run: it stays code, marked as such. This module finds the
 * spans in reading view; livepreview.ts does the same in the editor.
 */
import type { MarkdownPostProcessor } from "obsidian";
import type { ApiResult } from "./api";
import { renderCell, type RenderContext } from "./cells";
import type { DataviewSettings } from "./dvsettings";
import { LiveHost, LiveRender } from "./live";
import type { ApiError, EvalResult } from "./types";

export type InlineKind = { kind: "query"; expression: string } | { kind: "js" } | null;

/** What an inline code span's text is: a query, inline JS, or ordinary code. */
export function classifyInline(text: string, settings: DataviewSettings): InlineKind {
  if (text.startsWith(settings.inlineJsQueryPrefix)) return { kind: "js" };
  if (!settings.enableInlineDataview || !text.startsWith(settings.inlineQueryPrefix)) return null;
  const expression = text.slice(settings.inlineQueryPrefix.length).trim();
  return expression ? { kind: "query", expression } : null;
}

export const INLINE_JS_TITLE = "Inline DataviewJS is not run by VaultQL";

export class InlineQuery extends LiveRender<EvalResult> {
  constructor(
    containerEl: HTMLElement,
    host: LiveHost,
    readonly expression: string,
    sourcePath: string,
  ) {
    super(containerEl, host, sourcePath);
  }

  override onload(): void {
    this.containerEl.addClass("vaultql-inline", "dataview", "dataview-inline-query");
    this.containerEl.setAttr("data-expression", this.expression);
    super.onload();
  }

  protected request(): Promise<ApiResult<EvalResult>> {
    return this.host.api.evaluate(this.expression, this.sourcePath || null);
  }

  protected renderData(el: HTMLElement, data: EvalResult, ctx: RenderContext): void {
    el.removeClass("vaultql-inline-error");
    el.setAttr("title", null);
    if (data.value === undefined) el.setText(data.text);
    else renderCell(el, data.value, ctx, 0, true);
  }

  protected renderFailure(el: HTMLElement, error: ApiError, status: number): void {
    el.addClass("vaultql-inline-error");
    const why = status === 0 ? "the VaultQL server is not running" : error.message;
    el.createEl("code", { text: `VaultQL (inline query "${this.expression}"): ${why}` });
    el.setAttr("title", error.context ? `${error.message}\n${error.context}` : error.message);
  }
}

/** The reading-view post processor: replaces each inline query's code span with its value. */
export function inlineQueryProcessor(host: LiveHost): MarkdownPostProcessor {
  return (el, ctx) => {
    const settings = host.monitor.state.settings;
    for (const code of Array.from(el.querySelectorAll("code"))) {
      if (code.closest("pre")) continue; // code blocks are not inline queries
      const found = classifyInline(code.textContent ?? "", settings);
      if (!found) continue;
      if (found.kind === "js") {
        code.addClass("vaultql-inline-js");
        code.setAttr("title", INLINE_JS_TITLE);
        continue;
      }
      const parent = code.parentElement;
      if (!parent) continue;
      const span = parent.createSpan();
      code.replaceWith(span);
      ctx.addChild(new InlineQuery(span, host, found.expression, ctx.sourcePath));
    }
  };
}
