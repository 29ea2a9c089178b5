/**
 * Something rendered from the server inside a note (a query block, an inline query) that stays
 * current: it shows what the server answered for one (instance, revision, Dataview settings)
 * and asks again only when that changes — an error too, so a failing block does not re-query
 * on every poll. Only what is shown is refreshed: a hidden one is brought up to date when it is
 * shown again. The child is owned by Obsidian's render context (or a live preview widget), so
 * closing or re-rendering the note unloads it, which unsubscribes it.
 */
import { App, Component, HoverParent, HoverPopover, MarkdownRenderChild } from "obsidian";
import type { ApiClient, ApiResult } from "./api";
import type { RenderContext } from "./cells";
import { ConnectionMonitor, ConnectionState, dataKey, versionKey } from "./connection";
import { RESULTS_HOVER_SOURCE } from "./links";
import type { ApiError } from "./types";
import type { VisibilityTracker } from "./visibility";

/** What every live rendering needs from the plugin. */
export interface LiveHost {
  app: App;
  api: ApiClient;
  monitor: ConnectionMonitor;
  visibility: VisibilityTracker;
}

interface Versioned {
  revision?: number;
  instance?: string;
}

/** Errors that say nothing about the query: ask again as soon as the server is ready. */
function transient(status: number): boolean {
  return status === 0 || status === 503;
}

export abstract class LiveRender<T extends Versioned> extends MarkdownRenderChild implements HoverParent {
  hoverPopover: HoverPopover | null = null;
  /** The data key of what is on screen; null when it must be asked again once ready. */
  private shownKey: string | null = null;
  private hasRun = false;
  /** The data key when the request out now was made. */
  private askedKey: string | null = null;
  private running = false;
  private again = false;
  private live = false;
  private content: Component | null = null;

  constructor(
    containerEl: HTMLElement,
    protected readonly host: LiveHost,
    protected readonly sourcePath: string,
  ) {
    super(containerEl);
  }

  protected abstract request(): Promise<ApiResult<T>>;
  protected abstract renderData(el: HTMLElement, data: T, ctx: RenderContext): void;
  protected abstract renderFailure(el: HTMLElement, error: ApiError, status: number): void;

  override onload(): void {
    this.live = true;
    this.register(this.host.monitor.subscribe((state) => this.onState(state)));
    this.register(
      this.host.visibility.observe(this.containerEl, (visible) => {
        if (visible && this.outdated()) void this.run();
      }),
    );
    // With an IntersectionObserver the first answer waits until the element is shown.
    if (!this.host.visibility.supported(this.containerEl) || this.shown()) void this.run();
  }

  override onunload(): void {
    this.live = false;
    this.content = null;
  }

  /** Whether a refresh would show something else: never run, or the data has changed. */
  private outdated(): boolean {
    if (!this.hasRun) return true;
    const key = dataKey(this.host.monitor.state);
    return key !== null && key !== this.shownKey;
  }

  private shown(): boolean {
    return this.host.visibility.isVisible(this.containerEl);
  }

  private onState(state: ConnectionState): void {
    if (state.kind !== "ready" || !this.outdated()) return;
    if (this.shown()) void this.run();
  }

  /**
   * Asks the server and replaces the content. A call while a request is out asks again after it
   * only when the data changed since that request was made (or when `force`d).
   */
  async run(force = false): Promise<void> {
    if (this.running) {
      if (force || dataKey(this.host.monitor.state) !== this.askedKey) this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        this.hasRun = true;
        const asked = this.host.monitor.state;
        this.askedKey = dataKey(asked);
        const result = await this.request();
        if (!this.live) return;
        const el = this.containerEl;
        el.empty();
        if (this.content) this.removeChild(this.content);
        const content = (this.content = this.addChild(new Component()));
        const state = this.host.monitor.state;
        if (result.ok) {
          const revision = result.data.revision ?? state.revision;
          const instance = result.data.instance ?? state.instance;
          this.shownKey = revision === null ? null : versionKey(instance, revision, state.settings);
          if (revision !== null) el.setAttr("data-revision", String(revision));
          this.renderData(el, result.data, this.context(content, state));
        } else {
          // An answer about the query waits for new data, like a result does.
          this.shownKey = transient(result.status) ? null : dataKey(asked);
          this.renderFailure(el, result.error, result.status);
        }
      } while (this.again && this.live);
    } finally {
      this.running = false;
    }
  }

  private context(component: Component, state: ConnectionState): RenderContext {
    return {
      app: this.host.app,
      sourcePath: this.sourcePath,
      component,
      hoverParent: this,
      hoverSource: RESULTS_HOVER_SOURCE,
      settings: state.settings,
      refresh: () => void this.run(true),
    };
  }
}
