/**
 * ```vaultql (and ```dataview) code blocks: the block's text goes to the server with the note's
 * path as `origin`; the typed result is rendered, and rendered again when the server's data
 * changes while the block is shown (live.ts).
 */
import type { ApiResult } from "./api";
import type { CalendarState } from "./calendar";
import type { RenderContext } from "./cells";
import { LiveHost, LiveRender } from "./live";
import { renderError, renderResult } from "./results";
import type { ApiError, QueryResult } from "./types";

export class QueryBlock extends LiveRender<QueryResult> {
  /** The month a CALENDAR shows, kept across refreshes. */
  private readonly calendar: CalendarState = { month: null };

  constructor(
    containerEl: HTMLElement,
    host: LiveHost,
    private readonly source: string,
    sourcePath: string,
  ) {
    super(containerEl, host, sourcePath);
  }

  override onload(): void {
    this.containerEl.addClass("vaultql-block");
    super.onload();
  }

  protected request(): Promise<ApiResult<QueryResult>> {
    return this.host.api.query(this.source, this.sourcePath || null);
  }

  protected renderData(el: HTMLElement, data: QueryResult, ctx: RenderContext): void {
    renderResult(el, data, ctx, this.calendar);
  }

  protected renderFailure(el: HTMLElement, error: ApiError, status: number): void {
    renderError(el, error, status === 0 ? "VaultQL server not running" : "VaultQL query");
  }
}
