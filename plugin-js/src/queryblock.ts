/**
 * ```vaultql (and optionally ```dataview) code blocks: the block's text goes to the server with
 * the note's path as `origin`; the typed result is rendered, and re-rendered whenever the
 * server's revision changes. The child is owned by Obsidian's render context, so closing or
 * re-rendering the note unloads it and unsubscribes it.
 */
import { App, MarkdownRenderChild } from "obsidian";
import type { ApiClient } from "./api";
import type { ConnectionMonitor, ConnectionState } from "./connection";
import { renderError, renderResult } from "./results";

export class QueryBlock extends MarkdownRenderChild {
  private renderedRevision: number | null = null;
  private failed = false;
  private running = false;
  private again = false;
  private loaded = false;

  constructor(
    containerEl: HTMLElement,
    private readonly app: App,
    private readonly api: ApiClient,
    private readonly monitor: ConnectionMonitor,
    private readonly source: string,
    private readonly sourcePath: string,
  ) {
    super(containerEl);
  }

  override onload(): void {
    this.containerEl.addClass("vaultql-block");
    this.register(this.monitor.subscribe((state) => this.onState(state)));
    void this.run();
  }

  private onState(state: ConnectionState): void {
    if (state.kind !== "ready") return;
    if (this.failed || (state.revision !== null && state.revision !== this.renderedRevision)) {
      void this.run();
    }
  }

  /** Runs the query and replaces the block's content; overlapping calls collapse into one. */
  async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        const result = await this.api.query(this.source, this.sourcePath || null);
        if (!this.isLoaded()) return;
        const el = this.containerEl;
        el.empty();
        if (result.ok) {
          this.failed = false;
          this.renderedRevision = result.data.revision ?? this.monitor.state.revision;
          el.setAttr("data-revision", String(this.renderedRevision ?? ""));
          renderResult(el, result.data, { app: this.app, sourcePath: this.sourcePath, component: this });
        } else {
          this.failed = true;
          const title = result.status === 0 ? "VaultQL server not running" : "VaultQL query";
          renderError(el, result.error, title);
        }
      } while (this.again && this.isLoaded());
    } finally {
      this.running = false;
    }
  }

  override load(): void {
    this.loaded = true;
    super.load();
  }

  override unload(): void {
    this.loaded = false;
    super.unload();
  }

  isLoaded(): boolean {
    return this.loaded;
  }
}
