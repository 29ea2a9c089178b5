/** Settings: where the server is, its token, how often to poll, and ```dataview rendering. */
import { App, PluginSettingTab, Setting } from "obsidian";

export interface VaultQLSettings {
  serverUrl: string;
  token: string;
  pollSeconds: number;
  renderDataviewBlocks: boolean;
}

export const DEFAULT_SETTINGS: VaultQLSettings = {
  serverUrl: "http://127.0.0.1:8377",
  token: "",
  pollSeconds: 2,
  renderDataviewBlocks: false,
};

/** What the tab needs from the plugin (kept narrow so the tab does not import main.ts). */
export interface SettingsHost {
  settings: VaultQLSettings;
  saveSettings(): Promise<void>;
  dataviewEnabled(): boolean;
  testConnection(): Promise<string>;
}

export function isDataviewEnabled(app: App): boolean {
  const plugins = (app as unknown as { plugins?: { enabledPlugins?: Set<string> } }).plugins;
  return plugins?.enabledPlugins?.has("dataview") ?? false;
}

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
    new Setting(containerEl)
      .setName("Server URL")
      .setDesc("Where `vaultql serve` listens (default http://127.0.0.1:8377).")
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
    new Setting(containerEl)
      .setName("Refresh interval (seconds)")
      .setDesc("How often to check the server's revision; query blocks refresh when it changes.")
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
      .setName("Also render ```dataview blocks")
      .setDesc(
        dataview
          ? "Unavailable while the Dataview plugin is enabled: Dataview renders those blocks."
          : "For vaults without the Dataview plugin: answer ```dataview blocks with VaultQL.",
      )
      .addToggle((toggle) =>
        toggle
          .setValue(settings.renderDataviewBlocks && !dataview)
          .setDisabled(dataview)
          .onChange(async (value) => {
            settings.renderDataviewBlocks = value;
            await this.host.saveSettings();
          }),
      );
    const check = new Setting(containerEl).setName("Connection").setDesc("Not checked yet.");
    check.addButton((button) =>
      button.setButtonText("Test connection").onClick(async () => {
        check.setDesc(await this.host.testConnection());
      }),
    );
  }
}
