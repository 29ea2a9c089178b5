/**
 * ```dataview blocks answered by VaultQL, for vaults where the Dataview plugin is off. Obsidian
 * keeps one processor per block language and refuses a second one, so holding "dataview" while
 * Dataview is enabled would stop Dataview from loading: the processor is registered only while
 * the setting is on and Dataview is not enabled, at most once, and unregistered as soon as the
 * setting is turned off or Dataview is found enabled.
 */
import { App, MarkdownPostProcessor, MarkdownPostProcessorContext, MarkdownPreviewRenderer, Notice, Plugin } from "obsidian";

type Handler = (source: string, el: HTMLElement, ctx: MarkdownPostProcessorContext) => void;

export function isDataviewEnabled(app: App): boolean {
  const plugins = (app as unknown as { plugins?: { enabledPlugins?: Set<string> } }).plugins;
  return plugins?.enabledPlugins?.has("dataview") ?? false;
}

export class DataviewBlocks {
  private processor: MarkdownPostProcessor | null = null;

  constructor(
    private readonly plugin: Plugin,
    private readonly wanted: () => boolean,
    private readonly render: Handler,
  ) {
    plugin.register(() => this.unregister());
  }

  get registered(): boolean {
    return this.processor !== null;
  }

  /** Registers or unregisters the processor to match the setting and Dataview's state. */
  sync(): void {
    const want = this.wanted() && !isDataviewEnabled(this.plugin.app);
    if (want && !this.processor) {
      this.processor = this.plugin.registerMarkdownCodeBlockProcessor("dataview", (source, el, ctx) =>
        this.render(source, el, ctx),
      );
    } else if (!want && this.processor) {
      this.unregister();
      if (isDataviewEnabled(this.plugin.app)) {
        new Notice(
          "VaultQL no longer renders ```dataview blocks: the Dataview plugin is enabled. If " +
            "Dataview's blocks do not show, turn Dataview off and on again.",
          15000,
        );
      }
    }
  }

  private unregister(): void {
    if (!this.processor) return;
    // Frees the language for Dataview now; unregistering the same processor again when the
    // plugin unloads (Obsidian's own clean-up for register*) does nothing.
    MarkdownPreviewRenderer.unregisterPostProcessor(this.processor);
    this.processor = null;
  }
}
