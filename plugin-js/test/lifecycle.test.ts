import { describe, expect, it } from "vitest";
import { flush, loadPlugin, obsidian } from "./load";
import { track } from "./setup";

describe("loading and unloading the built main.js", () => {
  it("registers views, block and post processors, the editor extension, hover sources, commands, the status bar and the settings tab", async () => {
    const { app, plugin } = await loadPlugin();
    track(plugin);
    expect([...app.viewRegistry.keys()].sort()).toEqual(["vaultql-dashboard", "vaultql-related"]);
    expect([...app.codeBlockProcessors.keys()]).toEqual(["vaultql"]);
    expect(app.postProcessors).toHaveLength(1); // inline queries in reading view
    expect(app.editorExtensions).toHaveLength(1); // inline queries in live preview
    expect([...app.hoverLinkSources.entries()]).toEqual([
      ["vaultql-results", { display: "VaultQL query results", defaultMod: false }],
      ["vaultql", { display: "VaultQL views", defaultMod: true }],
    ]);
    expect([...app.commands.keys()].sort()).toEqual([
      "vaultql:open-dashboard",
      "vaultql:open-related",
      "vaultql:restart-server",
      "vaultql:search",
      "vaultql:show-how-to-start",
    ]);
    expect(app.statusBarEl.querySelectorAll(".status-bar-item")).toHaveLength(1);
    expect(app.settingTabs).toHaveLength(1);
  });

  it("sends every request through requestUrl with throw:false, the URL and the token", async () => {
    const { plugin } = await loadPlugin({ serverUrl: "http://127.0.0.1:9999/", token: "s3cret" });
    track(plugin);
    const [first] = obsidian.http.requests;
    expect(first?.url).toBe("http://127.0.0.1:9999/api/v1/status");
    expect(first?.throw).toBe(false);
    expect(first?.headers?.Authorization).toBe("Bearer s3cret");
  });

  it("unloading removes everything and stops polling and open views", async () => {
    const { app, plugin } = await loadPlugin({ pollSeconds: 0.2 });
    await app.commands.get("vaultql:open-dashboard")?.callback?.();
    await flush();
    const view = app.workspace.getLeavesOfType("vaultql-dashboard")[0]?.view;
    expect(view?.containerEl.isConnected).toBe(true);
    plugin.unload();
    expect(app.viewRegistry.size).toBe(0);
    expect(app.codeBlockProcessors.size).toBe(0);
    expect(app.postProcessors).toHaveLength(0);
    expect(app.editorExtensions).toHaveLength(0);
    expect(app.hoverLinkSources.size).toBe(0);
    expect(app.commands.size).toBe(0);
    expect(app.statusBarEl.children).toHaveLength(0);
    expect(app.settingTabs).toHaveLength(0);
    expect(app.workspace.getLeavesOfType("vaultql-dashboard")).toHaveLength(0);
    expect(view?.containerEl.isConnected).toBe(false);
    const before = obsidian.http.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(obsidian.http.requests.length).toBe(before);
  });

  it("polls the revision on the configured interval while loaded", async () => {
    const { plugin } = await loadPlugin({ pollSeconds: 0.2 });
    track(plugin);
    const before = obsidian.http.requests.filter((r) => r.url.endsWith("/status")).length;
    await new Promise((resolve) => setTimeout(resolve, 650));
    const after = obsidian.http.requests.filter((r) => r.url.endsWith("/status")).length;
    expect(after - before).toBeGreaterThanOrEqual(2);
  });
});
