/**
 * ```dataview blocks: rendered by VaultQL only while the setting is on and the Dataview plugin
 * is not enabled, registered at most once, and unregistered when the setting is turned off or
 * Dataview gets enabled — the mock, like Obsidian, refuses a second processor for a language.
 */
import { describe, expect, it } from "vitest";
import { flush, golden, loadPlugin, obsidian } from "./load";
import { track } from "./setup";

const QUERY = golden("query-table").request.json?.query as string;

function dataviewSetting(app: obsidian.App) {
  const tab = app.settingTabs[0]!;
  tab.display();
  const setting = Array.from(tab.containerEl.querySelectorAll(".setting-item")).find((s) =>
    s.querySelector(".setting-item-name")?.textContent?.includes("dataview"),
  ) as HTMLElement;
  return { setting, toggle: setting.querySelector("input[type=checkbox]") as HTMLInputElement };
}

async function flip(app: obsidian.App, on: boolean) {
  const { toggle } = dataviewSetting(app);
  toggle.checked = on;
  toggle.dispatchEvent(new Event("change"));
  await flush();
}

/** What the Dataview plugin does when it loads. */
function loadDataview(app: obsidian.App): void {
  const dataview = new obsidian.Plugin(app, { id: "dataview", name: "Dataview", version: "0.5.70" });
  dataview.load();
  dataview.registerMarkdownCodeBlockProcessor("dataview", (_source, el) => {
    el.createDiv({ cls: "dataview-rendered" });
  });
}

describe("```dataview blocks", () => {
  it("are left alone unless the setting is on", async () => {
    const { app, plugin } = await loadPlugin();
    track(plugin);
    expect(app.codeBlockProcessors.has("dataview")).toBe(false);
  });

  it("are rendered by VaultQL when the setting is on and Dataview is not enabled", async () => {
    const { app, plugin } = await loadPlugin({ renderDataviewBlocks: true });
    track(plugin);
    const section = track(obsidian.renderCodeBlock(app, "dataview", QUERY, "Home.md"));
    await flush();
    expect(section.el.querySelectorAll("tbody tr")).toHaveLength(3);
    expect(dataviewSetting(app).setting.textContent).toContain("Now rendering them.");
  });

  it("are never claimed while Dataview is enabled, so Dataview loads whatever the order", async () => {
    const app = new obsidian.App([], "/v");
    app.plugins.enabledPlugins.add("dataview");
    const { plugin } = await loadPlugin({ renderDataviewBlocks: true }, app);
    track(plugin);
    expect(app.codeBlockProcessors.has("dataview")).toBe(false);
    expect(() => loadDataview(app)).not.toThrow();
    const { setting, toggle } = dataviewSetting(app);
    expect(setting.textContent).toContain("Off while the Dataview plugin is enabled");
    expect(toggle.disabled).toBe(true);
    expect(toggle.checked).toBe(false);
  });

  it("are registered once and unregistered when the setting is toggled, however often", async () => {
    const { app, plugin } = await loadPlugin();
    track(plugin);
    await flip(app, true);
    expect(app.codeBlockProcessors.has("dataview")).toBe(true);
    await flip(app, true); // saving again must not register a second time (Obsidian would throw)
    await plugin.saveSettings();
    await flip(app, false);
    expect(app.codeBlockProcessors.has("dataview")).toBe(false);
    await flip(app, true);
    await flip(app, false);
    expect(app.codeBlockProcessors.has("dataview")).toBe(false);
    expect((app.pluginData as { renderDataviewBlocks: boolean }).renderDataviewBlocks).toBe(false);
    expect(() => loadDataview(app)).not.toThrow(); // the language is free for Dataview
    plugin.unload(); // and VaultQL's clean-up leaves Dataview's processor in place
    expect(app.codeBlockProcessors.has("dataview")).toBe(true);
  });

  it("are given back as soon as Dataview is found enabled", async () => {
    const { app, plugin } = await loadPlugin({ renderDataviewBlocks: true });
    track(plugin);
    expect(app.codeBlockProcessors.has("dataview")).toBe(true);
    app.plugins.enabledPlugins.add("dataview"); // the user enables Dataview
    await plugin.monitor.poll();
    expect(app.codeBlockProcessors.has("dataview")).toBe(false);
    expect(obsidian.Notice.messages.at(-1)).toContain("the Dataview plugin is enabled");
    expect(() => loadDataview(app)).not.toThrow();
  });
});
