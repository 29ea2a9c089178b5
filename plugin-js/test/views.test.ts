import { describe, expect, it } from "vitest";
import { flush, golden, goldenServer, loadPlugin, obsidian } from "./load";
import { track } from "./setup";

describe("the dashboard view", () => {
  async function open() {
    const { app, plugin } = await loadPlugin();
    track(plugin);
    await app.commands.get("vaultql:open-dashboard")?.callback?.();
    await flush();
    const view = app.workspace.getLeavesOfType("vaultql-dashboard")[0]!.view as obsidian.ItemView;
    return { app, el: view.contentEl };
  }

  it("shows PARA: bucket counts and projects with status, tasks and next action", async () => {
    const { app, el } = await open();
    const counts = Array.from(el.querySelectorAll(".vaultql-count-chip")).map((c) => c.textContent);
    expect(counts).toEqual(["projects: 3", "areas: 2", "resources: 4", "archives: 2", "none: 9"]);
    const rows = Array.from(el.querySelectorAll(".vaultql-projects tbody tr"));
    expect(rows.map((r) => r.getAttribute("data-project"))).toEqual([
      "Projects/Garden Planning.md",
      "Projects/Learn Rust.md",
      "Projects/Website Redesign.md",
    ]);
    expect(Array.from(rows[0]!.querySelectorAll("td")).map((td) => td.textContent)).toEqual([
      "Garden Planning stale",
      "paused",
      "2/2 open",
      "1",
      "Build raised bed 📅 2024-04-15",
    ]);
    expect(rows[1]!.textContent).toContain("archive me");
    (rows[0]!.querySelector("td:last-child a") as HTMLElement).click();
    expect(app.workspace.opened.at(-1)).toEqual({ path: "Projects/Garden Planning.md", eState: { line: 12 } });
  });

  it("switches to the weekly review, grouped by kind with reasons", async () => {
    const { el } = await open();
    (el.querySelector('button[data-tab="review"]') as HTMLElement).click();
    await flush();
    const review = golden("dashboard-review").body as { items: { kind: string; reason: string }[] };
    const kinds = Array.from(el.querySelectorAll(".vaultql-review-section")).map((s) => s.getAttribute("data-kind"));
    expect(kinds).toEqual([...new Set(review.items.map((i) => i.kind))]);
    const reasons = Array.from(el.querySelectorAll(".vaultql-review-reason")).map((r) => r.textContent);
    expect(reasons).toEqual(review.items.map((i) => i.reason));
    expect(el.querySelector('[data-kind="stale_project"] h4')?.textContent).toBe("Stale projects (2)");
  });
});

describe("the search modal", () => {
  it("searches as you type, shows snippets with highlights, and Enter opens the note", async () => {
    const { app, plugin } = await loadPlugin();
    track(plugin);
    app.commands.get("vaultql:search")?.callback?.();
    const input = document.querySelector(".modal-container input.prompt-input") as HTMLInputElement;
    input.value = "sourdough starter";
    input.dispatchEvent(new Event("input"));
    await flush();
    const sent = obsidian.http.requests.map((r) => new URL(r.url)).find((u) => u.pathname === "/api/v1/search");
    expect(sent?.searchParams.get("q")).toBe("sourdough starter");
    expect(sent?.searchParams.get("mode")).toBe("hybrid");
    const items = document.querySelectorAll(".suggestion-item");
    expect(items).toHaveLength(4);
    expect(items[0]?.querySelector(".vaultql-search-title")?.textContent).toBe("Sourdough Bread › Sourdough Bread › Steps");
    expect(items[0]?.querySelector("mark")?.textContent).toBe("starter");
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    expect(app.workspace.opened.at(-1)).toEqual({ linktext: "Resources/Recipes/Sourdough Bread.md#Steps", sourcePath: "" });
    expect(document.querySelector(".modal-container")).toBeNull();
  });

  it("shows the server's error instead of results", async () => {
    obsidian.setRequestHandler(
      goldenServer({}, (url) =>
        url.pathname === "/api/v1/search"
          ? { request: { method: "GET", path: "" }, status: 503, body: { error: { code: "unavailable", message: "search is not enabled on this server" } } }
          : null,
      ),
    );
    const { app, plugin } = await loadPlugin();
    track(plugin);
    app.commands.get("vaultql:search")?.callback?.();
    const input = document.querySelector("input.prompt-input") as HTMLInputElement;
    input.value = "anything";
    input.dispatchEvent(new Event("input"));
    await flush();
    expect(document.querySelector(".suggestion-item.vaultql-error")?.textContent).toBe(
      "unavailable: search is not enabled on this server",
    );
  });
});

describe("the status bar", () => {
  const bar = (app: obsidian.App) => app.statusBarEl.querySelector(".status-bar-item") as HTMLElement;

  it("shows the connection state and note count", async () => {
    const { app, plugin } = await loadPlugin();
    track(plugin);
    expect(bar(app).textContent).toBe("VaultQL: ready · 20 notes");
    expect(bar(app).getAttribute("data-state")).toBe("ready");
  });

  it("shows index progress while the server indexes", async () => {
    const status = golden("status");
    const body = { ...(status.body as object), ready: false, revision: 0, progress: { phase: "scanning", done: 5, total: 20 } };
    obsidian.setRequestHandler(goldenServer({ status: { ...status, body } }));
    const { app, plugin } = await loadPlugin();
    track(plugin);
    expect(bar(app).textContent).toBe("VaultQL: scanning 5/20 25%");
  });

  it("says when the server is not running and gives the command that starts it", async () => {
    obsidian.setRequestHandler(null);
    const { app, plugin } = await loadPlugin({ serverUrl: "http://127.0.0.1:8400" });
    track(plugin);
    const command = 'vaultql serve "/home/me/My Vault" --port 8400';
    expect(bar(app).textContent).toBe(`VaultQL: server not running — start it with: ${command}`);
    app.commands.get("vaultql:show-how-to-start")?.callback?.();
    expect(obsidian.Notice.messages.at(-1)).toContain(command);
  });

  it("says when the token is refused (the 401 body)", async () => {
    const refused = golden("error-unauthorized");
    obsidian.setRequestHandler(() => ({ status: refused.status, text: JSON.stringify(refused.body) }));
    const { app, plugin } = await loadPlugin();
    track(plugin);
    expect(bar(app).getAttribute("data-state")).toBe("unauthorized");
    expect(bar(app).getAttribute("title")).toBe(
      (refused.body as { error: { message: string } }).error.message,
    );
  });
});

describe("the settings tab", () => {
  it("edits the server URL and token, with the documented default", async () => {
    const { app, plugin } = await loadPlugin({ serverMode: "external", token: "" });
    track(plugin);
    const tab = app.settingTabs[0]!;
    tab.display();
    const [url, token] = Array.from(tab.containerEl.querySelectorAll("input[type=text], input[type=password]")) as HTMLInputElement[];
    expect(url!.value).toBe("http://127.0.0.1:8377");
    expect(token!.type).toBe("password");
    token!.value = "new-token-value";
    token!.dispatchEvent(new Event("input"));
    await flush();
    expect((app.pluginData as { token: string }).token).toBe("new-token-value");
    const last = obsidian.http.requests.at(-1);
    expect(last?.headers?.Authorization).toBe("Bearer new-token-value");
  });
});

describe("links in the views: hover preview and Ctrl/Cmd-click", () => {
  const hovers = (app: obsidian.App) => {
    const seen: Record<string, unknown>[] = [];
    app.workspace.on("hover-link", (info: Record<string, unknown>) => seen.push(info));
    return seen;
  };
  const over = (el: Element) => el.dispatchEvent(new MouseEvent("mouseover", { bubbles: true, cancelable: true }));
  const modClick = (el: Element) =>
    el.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, metaKey: true }));

  it("in the sidebar", async () => {
    const { app, plugin } = await loadPlugin();
    track(plugin);
    await app.commands.get("vaultql:open-related")?.callback?.();
    const view = app.workspace.getLeavesOfType("vaultql-related")[0]!.view as obsidian.ItemView;
    app.workspace.setActiveFile(app.vault.getAbstractFileByPath("Projects/Website Redesign.md") as obsidian.TFile);
    await flush();
    const seen = hovers(app);
    const title = view.contentEl.querySelector(".vaultql-related-item a.internal-link") as HTMLElement;
    expect(title.getAttribute("data-href")).toBe("Projects/Learn Rust.md#Learn Rust");
    over(title);
    expect(seen[0]).toMatchObject({ source: "vaultql", hoverParent: view, targetEl: title, linktext: "Projects/Learn Rust.md#Learn Rust" });
    over(view.contentEl.querySelector(".vaultql-passage")!);
    expect(seen).toHaveLength(2);
    modClick(title);
    expect(app.workspace.opened.at(-1)).toEqual({
      linktext: "Projects/Learn Rust.md#Learn Rust",
      sourcePath: "Projects/Website Redesign.md",
      newLeaf: "tab",
    });
  });

  it("in the dashboard", async () => {
    const { app, plugin } = await loadPlugin();
    track(plugin);
    await app.commands.get("vaultql:open-dashboard")?.callback?.();
    await flush();
    const view = app.workspace.getLeavesOfType("vaultql-dashboard")[0]!.view as obsidian.ItemView;
    const seen = hovers(app);
    const next = view.contentEl.querySelector(".vaultql-projects tbody tr td:last-child a") as HTMLElement;
    expect(next.classList.contains("internal-link")).toBe(true);
    over(next);
    expect(seen[0]).toMatchObject({ source: "vaultql", hoverParent: view, linktext: "Projects/Garden Planning.md" });
    modClick(next);
    expect(app.workspace.opened.at(-1)).toEqual({ path: "Projects/Garden Planning.md", eState: { line: 12 }, newLeaf: "tab" });
  });

  it("in the search modal: hover, Ctrl/Cmd-Enter and Ctrl/Cmd-click open a new tab", async () => {
    const { app, plugin } = await loadPlugin();
    track(plugin);
    const seen = hovers(app);
    app.commands.get("vaultql:search")?.callback?.();
    const input = document.querySelector("input.prompt-input") as HTMLInputElement;
    input.value = "sourdough starter";
    input.dispatchEvent(new Event("input"));
    await flush();
    const note = document.querySelector(".suggestion-item .vaultql-search-note") as HTMLElement;
    over(note);
    expect(seen[0]).toMatchObject({ source: "vaultql", linktext: "Resources/Recipes/Sourdough Bread.md#Steps" });
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true }));
    expect(app.workspace.opened.at(-1)).toEqual({
      linktext: "Resources/Recipes/Sourdough Bread.md#Steps",
      sourcePath: "",
      newLeaf: "tab",
    });
    app.commands.get("vaultql:search")?.callback?.();
    const again = document.querySelector("input.prompt-input") as HTMLInputElement;
    again.value = "sourdough starter";
    again.dispatchEvent(new Event("input"));
    await flush();
    modClick(document.querySelector(".suggestion-item .vaultql-search-note")!);
    expect(app.workspace.opened).toHaveLength(2);
    expect(app.workspace.opened.at(-1)?.newLeaf).toBe("tab");
    expect(document.querySelector(".modal-container")).toBeNull();
  });
});

describe("the settings tab, managed mode", () => {
  it("offers the command, the virtual environment folder, the port and a restart", async () => {
    obsidian.setRequestHandler(goldenServer());
    const { app, plugin } = await loadPlugin({ serverMode: "managed", token: "" });
    track(plugin);
    await flush(10);
    const tab = app.settingTabs[0]!;
    tab.display();
    const names = Array.from(tab.containerEl.querySelectorAll(".setting-item-name")).map((n) => n.textContent);
    expect(names).toEqual([
      "Server",
      "VaultQL command",
      "Virtual environment folder",
      "Port",
      "Server status",
      "Refresh interval (seconds)",
      "Render ```dataview blocks",
      "Dataview's settings",
      "Connection",
    ]);
    const select = tab.containerEl.querySelector("select") as HTMLSelectElement;
    expect(select.value).toBe("managed");
    select.value = "external";
    select.dispatchEvent(new Event("change"));
    await flush();
    expect((app.pluginData as { serverMode: string }).serverMode).toBe("external");
    const after = Array.from(tab.containerEl.querySelectorAll(".setting-item-name")).map((n) => n.textContent);
    expect(after.slice(0, 3)).toEqual(["Server", "Server URL", "API token"]);
  });
});
