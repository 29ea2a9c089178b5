/**
 * The built plugin running its own server (managed mode): Node's child_process is a fake
 * (test/fakeprocess.ts) and the server answers from the golden files only while a `serve`
 * process is alive, as a real one would.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { flush, goldenServer, loadPlugin, obsidian, processes } from "./load";
import { track } from "./setup";

const VAULT = "/home/me/My Vault";

/** Answers only while a served process runs; refuses connections otherwise. */
function liveServer() {
  const golden = goldenServer();
  obsidian.setRequestHandler((param) => {
    if (processes.running().length === 0) throw new Error("net::ERR_CONNECTION_REFUSED");
    return golden(param);
  });
}

const bar = (app: obsidian.App) => app.statusBarEl.querySelector(".status-bar-item") as HTMLElement;

async function managed(data: Record<string, unknown> = {}) {
  liveServer();
  const loaded = await loadPlugin({ serverMode: "managed", token: "", ...data });
  await flush(10);
  return loaded;
}

describe("the plugin's own server", () => {
  afterEach(() => vi.useRealTimers());

  it("reads the token, starts `vaultql serve` for this vault and talks to it", async () => {
    const { app, plugin } = await managed({ port: 8411 });
    track(plugin);
    const [token, serve] = processes.spawned;
    expect([token?.command, ...(token?.args ?? [])]).toEqual(["vaultql", "token", VAULT]);
    expect([serve?.command, ...(serve?.args ?? [])]).toEqual(["vaultql", "serve", VAULT, "--port", "8411", "--quiet"]);
    await plugin.monitor.poll();
    await flush();
    const last = obsidian.http.requests.at(-1)!;
    expect(last.url).toBe("http://127.0.0.1:8411/api/v1/status");
    expect(last.headers?.Authorization).toBe(`Bearer ${processes.token}`);
    expect(bar(app).textContent).toBe("VaultQL: ready · 20 notes");
    expect(plugin.servers.server.state.phase).toBe("running");
  });

  it("shows start-up in the status bar until the server answers", async () => {
    obsidian.setRequestHandler(() => {
      throw new Error("net::ERR_CONNECTION_REFUSED");
    });
    const { app, plugin } = await loadPlugin({ serverMode: "managed", token: "" });
    track(plugin);
    await flush(10);
    expect(bar(app).textContent).toBe("VaultQL: starting the server…");
    expect(bar(app).getAttribute("title")).toBe("Starting the VaultQL server on port 8377…");
  });

  it("uses a server already running for this vault instead of starting one", async () => {
    obsidian.setRequestHandler(goldenServer()); // answers with this vault's token: it is ours
    const { plugin } = await loadPlugin({ serverMode: "managed", token: "" });
    track(plugin);
    await flush(10);
    expect(processes.serves()).toHaveLength(0);
    expect(plugin.servers.server.state.phase).toBe("reused");
  });

  it("restarts the server after kill -9, and stops it on unload", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { plugin } = await managed();
    const first = processes.serves()[0]!;
    first.exit(null, "SIGKILL");
    await flush();
    expect(plugin.servers.server.state.phase).toBe("restarting");
    await vi.advanceTimersByTimeAsync(1000);
    await flush();
    const second = processes.running()[0]!;
    expect(second.pid).not.toBe(first.pid);
    plugin.unload();
    expect(second.signals).toEqual(["SIGTERM"]);
    await flush();
    expect(processes.running()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(30000);
    expect(processes.serves()).toHaveLength(2); // nothing started after unload
  });

  it("tells the user after repeated failures", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    processes.onSpawn = (child) => {
      setTimeout(() => {
        if (child.args[0] === "token") {
          child.print(`${processes.token}\n`);
          child.exit(0);
        } else {
          child.print("error: /home/me/My Vault is not a directory\n", "stderr");
          child.exit(2);
        }
      }, 0);
    };
    const { app, plugin } = await managed();
    track(plugin);
    for (const ms of [1000, 2000, 4000, 8000]) {
      await vi.advanceTimersByTimeAsync(ms);
      await flush();
    }
    expect(processes.serves()).toHaveLength(5);
    expect(bar(app).textContent).toBe("VaultQL: server failed — click for details");
    bar(app).click();
    expect(obsidian.Notice.messages.at(-1)).toBe(
      "VaultQL: The VaultQL server failed 5 times in a row; last: the server exited (code 2): " +
        'error: /home/me/My Vault is not a directory. Fix the cause, then run "VaultQL: Restart the server".',
    );
  });

  it("restarts on the new port when the setting changes", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const { app, plugin } = await managed();
    track(plugin);
    const tab = app.settingTabs[0]!;
    tab.display();
    const port = Array.from(tab.containerEl.querySelectorAll(".setting-item"))
      .find((s) => s.querySelector(".setting-item-name")?.textContent === "Port")!
      .querySelector("input") as HTMLInputElement;
    for (const value of ["9", "90", "9012"]) {
      port.value = value;
      port.dispatchEvent(new Event("input"));
    }
    await vi.advanceTimersByTimeAsync(1000);
    await flush();
    const serves = processes.serves();
    expect(serves.map((c) => c.args[3])).toEqual(["8377", "9012"]); // once typing stopped
    expect(serves[0]!.alive).toBe(false);
  });

  it("the command restarts it", async () => {
    const { app, plugin } = await managed();
    track(plugin);
    const command = app.commands.get("vaultql:restart-server")!;
    expect(command.checkCallback?.(true)).toBe(true);
    command.checkCallback?.(false);
    await flush(10);
    expect(processes.serves()).toHaveLength(2);
    expect(processes.running()).toHaveLength(1);
  });

  it("is not started when connecting to an external server, nor on mobile", async () => {
    const external = await loadPlugin({ serverMode: "external" });
    track(external.plugin);
    expect(external.app.commands.get("vaultql:restart-server")?.checkCallback?.(true)).toBe(false);
    obsidian.Platform.isDesktopApp = false;
    const mobile = await loadPlugin({ serverMode: "managed" });
    track(mobile.plugin);
    expect(processes.spawned).toHaveLength(0);
  });

  it("settings saved before managed mode keep talking to the pasted URL and token", async () => {
    const { app, plugin } = await loadPlugin({ serverMode: undefined, token: "pasted", serverUrl: "http://127.0.0.1:9999" });
    track(plugin);
    expect(processes.spawned).toHaveLength(0);
    expect(obsidian.http.requests.at(-1)?.headers?.Authorization).toBe("Bearer pasted");
    const tab = app.settingTabs[0]!;
    tab.display();
    expect((tab.containerEl.querySelector("select") as HTMLSelectElement).value).toBe("external");
  });
});
