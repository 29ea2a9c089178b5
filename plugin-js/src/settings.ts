/**
 * The plugin's settings: whether it runs the server itself (the command, a virtual environment
 * folder, the port) or connects to one you run (URL and token), how often to poll, and
 * ```dataview rendering. Dataview's own settings (date formats, null text, …) are not here:
 * the server reads them from Dataview's settings file and the plugin renders with them.
 */
import { App, PluginSettingTab, Setting } from "obsidian";

export type ServerMode = "managed" | "external";

export interface VaultQLSettings {
  serverMode: ServerMode;
  /** The program that runs VaultQL (managed mode): found on PATH, or a full path. */
  serverCommand: string;
  /** A virtual environment folder with VaultQL installed (managed mode); optional. */
  venvPath: string;
  /** The port the plugin's server listens on (managed mode). */
  port: number;
  serverUrl: string;
  token: string;
  pollSeconds: number;
  renderDataviewBlocks: boolean;
}

export const DEFAULT_SETTINGS: VaultQLSettings = {
  serverMode: "managed",
  serverCommand: "vaultql",
  venvPath: "",
  port: 8377,
  serverUrl: "http://127.0.0.1:8377",
  token: "",
  pollSeconds: 2,
  renderDataviewBlocks: false,
};

/** Saved data over the defaults. Settings from before managed mode had a pasted token: external. */
export function loadedSettings(saved: Partial<VaultQLSettings> | null, desktop: boolean): VaultQLSettings {
  const settings = { ...DEFAULT_SETTINGS, ...(saved ?? {}) };
  if (!saved?.serverMode) settings.serverMode = saved?.token ? "external" : "managed";
  if (!desktop) settings.serverMode = "external"; // no processes on mobile
  return settings;
}

/** What the tab needs from the plugin (kept narrow so the tab does not import main.ts). */
export interface SettingsHost {
  settings: VaultQLSettings;
  desktop: boolean;
  saveSettings(): Promise<void>;
  dataviewEnabled(): boolean;
  dataviewBlocksActive(): boolean;
  testConnection(): Promise<string>;
  serverStatus(): string;
  restartServer(): Promise<void>;
}

// Lint warns (prefer-setting-definitions) that this tab has no getSettingDefinitions(): that API
// needs Obsidian 1.13 and minAppVersion is 1.7.2, so display() builds the tab, as required there.
export class VaultQLSettingTab extends PluginSettingTab {
  constructor(
    app: App,
    plugin: ConstructorParameters<typeof PluginSettingTab>[1],
    private readonly host: SettingsHost,
  ) {
    super(app, plugin);
  }

  display(): void {
    const { containerEl } = this;
    const settings = this.host.settings;
    containerEl.empty();
    if (this.host.desktop) {
      new Setting(containerEl)
        .setName("Server")
        .setDesc("Let the plugin start and stop VaultQL for this vault, or connect to a server you run.")
        .addDropdown((dropdown) =>
          dropdown
            .addOption("managed", "Start it for me")
            .addOption("external", "Connect to my server")
            .setValue(settings.serverMode)
            .onChange(async (value) => {
              settings.serverMode = value === "external" ? "external" : "managed";
              await this.host.saveSettings();
              this.display();
            }),
        );
    }
    if (settings.serverMode === "managed") this.managed(containerEl, settings);
    else this.external(containerEl, settings);
    new Setting(containerEl)
      .setName("Refresh interval (seconds)")
      .setDesc("How often to check the server's revision; what is on screen refreshes when it changes.")
      .addText((text) =>
        text.setValue(String(settings.pollSeconds)).onChange(async (value) => {
          const seconds = Number(value);
          if (Number.isFinite(seconds) && seconds >= 0.2) {
            settings.pollSeconds = seconds;
            await this.host.saveSettings();
          }
        }),
      );
    const dataview = this.host.dataviewEnabled();
    new Setting(containerEl)
      .setName("Render ```dataview blocks")
      .setDesc(
        dataview
          ? "Off while the Dataview plugin is enabled: Dataview renders those blocks. " +
              "Obsidian allows one renderer per block language."
          : "Answer ```dataview blocks with VaultQL while the Dataview plugin is not enabled. " +
              "Turn this off before enabling Dataview: Obsidian allows one renderer per block " +
              "language, so Dataview could not load otherwise. " +
              (this.host.dataviewBlocksActive() ? "Now rendering them." : "Not rendering them now."),
      )
      .addToggle((toggle) =>
        toggle
          .setValue(settings.renderDataviewBlocks && !dataview)
          .setDisabled(dataview)
          .onChange(async (value) => {
            settings.renderDataviewBlocks = value;
            await this.host.saveSettings();
            this.display();
          }),
      );
    new Setting(containerEl)
      .setName("Dataview's settings")
      .setDesc(
        "Date formats, the text for empty values, the ID column's name, result counts, the " +
          "empty-result message, the render depth, the inline query prefixes and task completion " +
          "tracking follow Dataview's own settings in this vault, as the server reads them.",
      );
    const check = new Setting(containerEl).setName("Connection").setDesc("Not checked yet.");
    check.addButton((button) =>
      button.setButtonText("Test connection").onClick(async () => {
        check.setDesc(await this.host.testConnection());
      }),
    );
  }

  private managed(containerEl: HTMLElement, settings: VaultQLSettings): void {
    new Setting(containerEl)
      .setName("VaultQL command")
      .setDesc("The program that runs VaultQL: its name, found through PATH, or its full location.")
      .addText((text) =>
        text
          .setPlaceholder(DEFAULT_SETTINGS.serverCommand)
          .setValue(settings.serverCommand)
          .onChange(async (value) => {
            settings.serverCommand = value.trim() || DEFAULT_SETTINGS.serverCommand;
            await this.host.saveSettings();
          }),
      );
    new Setting(containerEl)
      .setName("Virtual environment folder")
      .setDesc("Optional: a Python virtual environment folder with VaultQL installed; the program is taken from it.")
      .addText((text) =>
        text.setValue(settings.venvPath).onChange(async (value) => {
          settings.venvPath = value.trim();
          await this.host.saveSettings();
        }),
      );
    new Setting(containerEl)
      .setName("Port")
      .setDesc("The server listens on 127.0.0.1 at this port. A server already running there for this vault is used as it is.")
      .addText((text) =>
        text.setValue(String(settings.port)).onChange(async (value) => {
          const port = Number(value);
          if (Number.isInteger(port) && port > 0 && port < 65536) {
            settings.port = port;
            await this.host.saveSettings();
          }
        }),
      );
    const status = new Setting(containerEl).setName("Server status").setDesc(this.host.serverStatus());
    status.addButton((button) =>
      button.setButtonText("Restart").onClick(async () => {
        await this.host.restartServer();
        status.setDesc(this.host.serverStatus());
      }),
    );
  }

  private external(containerEl: HTMLElement, settings: VaultQLSettings): void {
    new Setting(containerEl)
      .setName("Server URL")
      .setDesc("Where your `vaultql serve` listens (default http://127.0.0.1:8377).")
      .addText((text) =>
        text
          .setPlaceholder(DEFAULT_SETTINGS.serverUrl)
          .setValue(settings.serverUrl)
          .onChange(async (value) => {
            settings.serverUrl = value.trim() || DEFAULT_SETTINGS.serverUrl;
            await this.host.saveSettings();
          }),
      );
    new Setting(containerEl)
      .setName("API token")
      .setDesc("Printed by `vaultql serve`, or run `vaultql token /path/to/vault`.")
      .addText((text) => {
        text.inputEl.type = "password";
        text.setValue(settings.token).onChange(async (value) => {
          settings.token = value.trim();
          await this.host.saveSettings();
        });
      });
  }
}
