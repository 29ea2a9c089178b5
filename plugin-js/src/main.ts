/**
 * The plugin's lifecycle only: settings, the API client, the server it runs (desktop), and
 * registering every view, block and post processor, editor extension, hover source, command,
 * interval and status bar item through `register*`, so unloading the plugin removes all of them
 * and stops its server. The features live in their own modules.
 */
import { MarkdownPostProcessorContext, Notice, Platform, Plugin } from "obsidian";
import { ApiClient } from "./api";
import { ConnectionMonitor } from "./connection";
import { DASHBOARD_VIEW, DashboardView } from "./dashboard";
import { DataviewBlocks, isDataviewEnabled } from "./dataview_blocks";
import { inlineQueryProcessor } from "./inline";
import { RESULTS_HOVER_SOURCE, VIEWS_HOVER_SOURCE } from "./links";
import type { LiveHost } from "./live";
import { inlineQueryEditorExtension } from "./livepreview";
import { QueryBlock } from "./queryblock";
import { SearchModal } from "./search";
import { ServerControl } from "./server_control";
import { DEFAULT_SETTINGS, loadedSettings, VaultQLSettings, VaultQLSettingTab } from "./settings";
import { RELATED_VIEW, RelatedView } from "./sidebar";
import { renderStatusBar, startCommand } from "./statusbar";
import { requestUrlTransport, Transport } from "./transport";
import { VisibilityTracker } from "./visibility";

export default class VaultQLPlugin extends Plugin {
  settings: VaultQLSettings = { ...DEFAULT_SETTINGS };
  api!: ApiClient;
  monitor!: ConnectionMonitor;
  servers!: ServerControl;
  private pollTimer: number | null = null;
  private reconfigureTimer: number | null = null;
  private dataviewBlocks!: DataviewBlocks;
  private showStatus: () => void = () => undefined;

  override async onload(): Promise<void> {
    const saved = (await this.loadData()) as Partial<VaultQLSettings> | null;
    this.settings = loadedSettings(saved, Platform.isDesktopApp);
    this.servers = new ServerControl(() => this.settings, this.vaultPath(), this.transport(), () => {
      this.showStatus();
      void this.monitor.poll();
    });
    this.register(() => {
      if (this.reconfigureTimer !== null) window.clearTimeout(this.reconfigureTimer);
      this.servers.stop();
    });
    this.api = new ApiClient(this.transport(), () => this.servers.connection());
    this.monitor = new ConnectionMonitor(this.api);
    this.register(() => this.monitor.stop());
    const visibility = new VisibilityTracker();
    this.register(() => visibility.disconnect());
    const host: LiveHost = { app: this.app, api: this.api, monitor: this.monitor, visibility };

    this.registerView(RELATED_VIEW, (leaf) => new RelatedView(leaf, this.api, this.monitor));
    this.registerView(DASHBOARD_VIEW, (leaf) => new DashboardView(leaf, this.api, this.monitor));
    this.registerHoverLinkSource(RESULTS_HOVER_SOURCE, { display: "VaultQL query results", defaultMod: false });
    this.registerHoverLinkSource(VIEWS_HOVER_SOURCE, { display: "VaultQL views", defaultMod: true });
    const renderBlock = (source: string, el: HTMLElement, ctx: MarkdownPostProcessorContext) =>
      ctx.addChild(new QueryBlock(el, host, source, ctx.sourcePath));
    this.registerMarkdownCodeBlockProcessor("vaultql", renderBlock);
    this.dataviewBlocks = new DataviewBlocks(this, () => this.settings.renderDataviewBlocks, renderBlock);
    this.dataviewBlocks.sync();
    this.registerMarkdownPostProcessor(inlineQueryProcessor(host));
    this.registerEditorExtension(inlineQueryEditorExtension(host));

    const statusEl = this.addStatusBarItem();
    this.showStatus = () =>
      renderStatusBar(statusEl, this.monitor.state, this.startCommand(), this.servers.state);
    this.showStatus();
    this.register(
      this.monitor.subscribe((state) => {
        this.servers.server?.observe(state.kind === "ready" || state.kind === "indexing");
        // Dataview may have been enabled since: give the block language back at once.
        this.dataviewBlocks.sync();
        this.showStatus();
      }),
    );
    this.registerDomEvent(statusEl, "click", () => this.statusClicked());

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
      id: "show-how-to-start",
      name: "Show how to start the server",
      callback: () => this.showStartCommand(),
    });
    this.addCommand({
      id: "restart-server",
      name: "Restart the server",
      checkCallback: (checking) => {
        if (!this.servers.server) return false;
        if (!checking) void this.restartServer();
        return true;
      },
    });
    this.addRibbonIcon("layout-dashboard", "VaultQL dashboard", () => {
      void this.activateView(DASHBOARD_VIEW, "tab");
    });
    this.addSettingTab(
      new VaultQLSettingTab(this.app, this, {
        settings: this.settings,
        desktop: Platform.isDesktopApp,
        saveSettings: () => this.saveSettings(),
        dataviewEnabled: () => isDataviewEnabled(this.app),
        dataviewBlocksActive: () => this.dataviewBlocks.registered,
        testConnection: () => this.testConnection(),
        serverStatus: () => this.servers.describe(),
        restartServer: () => this.restartServer(),
      }),
    );
    // Obsidian quitting may not unload plugins: the server goes with the window.
    this.registerDomEvent(window, "beforeunload", () => this.servers.stop());
    this.servers.configure();
    this.schedulePoll();
    void this.monitor.poll();
  }

  /** The transport every view's ApiClient uses: Obsidian's `requestUrl` (mocked in tests). */
  protected transport(): Transport {
    return requestUrlTransport;
  }

  async saveSettings(): Promise<void> {
    await this.saveData(this.settings);
    this.schedulePoll();
    this.dataviewBlocks.sync();
    // Typing a command or a port saves on every key: restart the server once typing stops.
    if (this.reconfigureTimer !== null) window.clearTimeout(this.reconfigureTimer);
    this.reconfigureTimer = window.setTimeout(() => {
      this.reconfigureTimer = null;
      this.servers.configure();
    }, 800);
    void this.monitor.poll();
  }

  private schedulePoll(): void {
    if (this.pollTimer !== null) window.clearInterval(this.pollTimer);
    const ms = Math.max(200, this.settings.pollSeconds * 1000);
    this.pollTimer = this.registerInterval(window.setInterval(() => void this.monitor.poll(), ms));
  }

  private async restartServer(): Promise<void> {
    await this.servers.restart();
    void this.monitor.poll();
  }

  private vaultPath(): string | null {
    const adapter = this.app.vault.adapter as { getBasePath?: () => string };
    return typeof adapter.getBasePath === "function" ? adapter.getBasePath() : null;
  }

  startCommand(): string {
    return startCommand(this.vaultPath(), this.settings.serverUrl);
  }

  private statusClicked(): void {
    const server = this.servers.state;
    if (server?.message && server.phase !== "running") new Notice(`VaultQL: ${server.message}`, 15000);
    else if (!server) this.showStartCommand();
  }

  private showStartCommand(): void {
    if (this.servers.server) {
      new Notice(`VaultQL starts its server itself: ${this.servers.describe()}`, 10000);
      return;
    }
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
        return this.servers.server ? this.servers.describe() : `Not running. Start it with: ${this.startCommand()}`;
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
