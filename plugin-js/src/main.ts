/**
 * The plugin's lifecycle only: settings, the API client, and registering every view, block
 * processor, command, interval and status bar item through `register*`, so unloading the plugin
 * removes all of them. The features live in their own modules.
 */
import { MarkdownPostProcessorContext, Notice, Plugin } from "obsidian";
import { ApiClient } from "./api";
import { ConnectionMonitor } from "./connection";
import { DASHBOARD_VIEW, DashboardView } from "./dashboard";
import { QueryBlock } from "./queryblock";
import { SearchModal } from "./search";
import {
  DEFAULT_SETTINGS,
  isDataviewEnabled,
  VaultQLSettings,
  VaultQLSettingTab,
} from "./settings";
import { RELATED_VIEW, RelatedView } from "./sidebar";
import { renderStatusBar, startCommand } from "./statusbar";
import { requestUrlTransport, Transport } from "./transport";

export default class VaultQLPlugin extends Plugin {
  settings: VaultQLSettings = { ...DEFAULT_SETTINGS };
  api!: ApiClient;
  monitor!: ConnectionMonitor;
  private pollTimer: number | null = null;
  private dataviewRegistered = false;

  override async onload(): Promise<void> {
    await this.loadSettings();
    this.api = new ApiClient(this.transport(), () => this.settings);
    this.monitor = new ConnectionMonitor(this.api);
    this.register(() => this.monitor.stop());

    this.registerView(RELATED_VIEW, (leaf) => new RelatedView(leaf, this.api, this.monitor));
    this.registerView(DASHBOARD_VIEW, (leaf) => new DashboardView(leaf, this.api, this.monitor));
    this.registerMarkdownCodeBlockProcessor("vaultql", (source, el, ctx) =>
      this.renderBlock(source, el, ctx),
    );
    this.registerDataviewBlocks();

    const statusEl = this.addStatusBarItem();
    const showStatus = () => renderStatusBar(statusEl, this.monitor.state, this.startCommand());
    showStatus();
    this.register(this.monitor.subscribe(showStatus));
    this.registerDomEvent(statusEl, "click", () => this.showStartCommand());

    this.addCommand({
      id: "open-related",
      name: "Open related notes",
      callback: () => void this.activateView(RELATED_VIEW, "right"),
    });
    this.addCommand({
      id: "open-dashboard",
      name: "Open dashboard (PARA and weekly review)",
      callback: () => void this.activateView(DASHBOARD_VIEW, "tab"),
    });
    this.addCommand({
      id: "search",
      name: "Search the vault",
      callback: () => new SearchModal(this.app, this.api).open(),
    });
    this.addCommand({
      id: "show-start-command",
      name: "Show the command that starts the server",
      callback: () => this.showStartCommand(),
    });
    this.addRibbonIcon("layout-dashboard", "VaultQL dashboard", () => {
      void this.activateView(DASHBOARD_VIEW, "tab");
    });
    this.addSettingTab(
      new VaultQLSettingTab(this.app, this, {
        settings: this.settings,
        saveSettings: () => this.saveSettings(),
        dataviewEnabled: () => isDataviewEnabled(this.app),
        testConnection: () => this.testConnection(),
      }),
    );
    this.schedulePoll();
    void this.monitor.poll();
  }

  /** The transport every view's ApiClient uses: Obsidian's `requestUrl` (mocked in tests). */
  protected transport(): Transport {
    return requestUrlTransport;
  }

  async loadSettings(): Promise<void> {
    const saved = (await this.loadData()) as Partial<VaultQLSettings> | null;
    this.settings = { ...DEFAULT_SETTINGS, ...(saved ?? {}) };
  }

  async saveSettings(): Promise<void> {
    await this.saveData(this.settings);
    this.schedulePoll();
    this.registerDataviewBlocks();
    void this.monitor.poll();
  }

  private schedulePoll(): void {
    if (this.pollTimer !== null) window.clearInterval(this.pollTimer);
    const ms = Math.max(200, this.settings.pollSeconds * 1000);
    this.pollTimer = this.registerInterval(window.setInterval(() => void this.monitor.poll(), ms));
  }

  private renderBlock(source: string, el: HTMLElement, ctx: MarkdownPostProcessorContext): void {
    ctx.addChild(new QueryBlock(el, this.app, this.api, this.monitor, source, ctx.sourcePath));
  }

  /** ```dataview blocks, when asked for and Dataview itself is not enabled. */
  private registerDataviewBlocks(): void {
    if (this.dataviewRegistered || !this.settings.renderDataviewBlocks) return;
    if (isDataviewEnabled(this.app)) return;
    this.dataviewRegistered = true;
    this.registerMarkdownCodeBlockProcessor("dataview", (source, el, ctx) => {
      // The setting may have been turned off, or Dataview enabled, since: show the code.
      if (!this.settings.renderDataviewBlocks || isDataviewEnabled(this.app)) {
        el.createEl("pre").createEl("code", { cls: "language-dataview", text: source });
        return;
      }
      this.renderBlock(source, el, ctx);
    });
  }

  startCommand(): string {
    const adapter = this.app.vault.adapter as { getBasePath?: () => string };
    const base = typeof adapter.getBasePath === "function" ? adapter.getBasePath() : null;
    return startCommand(base, this.settings.serverUrl);
  }

  private showStartCommand(): void {
    const command = this.startCommand();
    const state = this.monitor.state.kind;
    const prefix = state === "offline" ? "The VaultQL server is not running. Start it with" : "Start the VaultQL server with";
    new Notice(`${prefix}:\n${command}\n(copied to the clipboard)`, 10000);
    void navigator.clipboard?.writeText(command).catch(() => undefined);
  }

  private async testConnection(): Promise<string> {
    await this.monitor.poll();
    const state = this.monitor.state;
    switch (state.kind) {
      case "ready":
        return `Connected: ${state.notes ?? "?"} notes, revision ${state.revision ?? "?"}.`;
      case "indexing":
        return "Connected: the server is still indexing.";
      case "offline":
        return `Not running. Start it with: ${this.startCommand()}`;
      default:
        return state.message ?? state.kind;
    }
  }

  private async activateView(type: string, where: "right" | "tab"): Promise<void> {
    const { workspace } = this.app;
    const existing = workspace.getLeavesOfType(type)[0];
    if (existing) {
      await workspace.revealLeaf(existing);
      return;
    }
    const leaf = where === "right" ? workspace.getRightLeaf(false) : workspace.getLeaf("tab");
    if (!leaf) return;
    await leaf.setViewState({ type, active: true });
    await workspace.revealLeaf(leaf);
  }
}
