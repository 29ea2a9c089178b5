/**
 * Which server the plugin talks to, and the one it runs: in managed mode (desktop), a
 * ManagedServer for this vault on 127.0.0.1:port, replaced when its settings change and
 * stopped with the plugin; otherwise the URL and token from the settings.
 */
import { Platform } from "obsidian";
import { ApiClient, type Connection } from "./api";
import { hostEnv, ManagedServer, nodeSpawn, type ProbeResult, type ServerConfig, type ServerState } from "./server_process";
import type { VaultQLSettings } from "./settings";
import type { Transport } from "./transport";

export class ServerControl {
  /** The server this plugin runs (managed mode on the desktop app), else null. */
  server: ManagedServer | null = null;
  private configured = "";

  constructor(
    private readonly settings: () => VaultQLSettings,
    private readonly vaultPath: string | null,
    private readonly transport: Transport,
    private readonly onChange: () => void,
  ) {}

  get state(): ServerState | null {
    return this.server?.state ?? null;
  }

  /** Where the API is: the plugin's own server, or the one in the settings. */
  connection(): Connection {
    const settings = this.settings();
    if (this.server) {
      return { serverUrl: `http://127.0.0.1:${settings.port}`, token: this.server.token ?? "" };
    }
    return { serverUrl: settings.serverUrl, token: settings.token };
  }

  /** Starts, restarts or stops the plugin's server to match the settings. */
  configure(): void {
    const settings = this.settings();
    const spawn = settings.serverMode === "managed" ? nodeSpawn() : null;
    const config: ServerConfig = {
      command: settings.serverCommand,
      venvPath: settings.venvPath,
      port: settings.port,
    };
    const wanted = spawn && this.vaultPath ? JSON.stringify(config) : "";
    if (wanted === this.configured) return;
    // The previous server must have let go of its port first, or the new one would reuse it.
    const stopped = this.server ? this.server.stop() : Promise.resolve();
    this.server = null;
    this.configured = wanted;
    if (!spawn || !this.vaultPath) return;
    const server = new ManagedServer({
      spawn,
      vaultPath: this.vaultPath,
      config: () => config,
      env: hostEnv(),
      windows: Platform.isWin,
      probe: (port, token) => this.probe(port, token),
      onChange: () => this.onChange(),
    });
    this.server = server;
    void stopped.then(() => {
      if (this.server === server) void server.start();
    });
  }

  stop(): void {
    void this.server?.stop();
    this.server = null;
    this.configured = "";
  }

  async restart(): Promise<void> {
    await this.server?.restart();
  }

  /** One line for the settings tab and the status bar's notice. */
  describe(): string {
    if (!this.server) return "Not running: the plugin connects to your server.";
    const { phase, message, pid } = this.server.state;
    return message ?? `${phase}${pid ? ` (process ${pid})` : ""}`;
  }

  /** Who answers on 127.0.0.1:port; this vault's token is accepted only by this vault's server. */
  private async probe(port: number, token: string): Promise<ProbeResult> {
    const client = new ApiClient(this.transport, () => ({ serverUrl: `http://127.0.0.1:${port}`, token }));
    const result = await client.status();
    if (result.ok) return "ours";
    if (result.status === 0) return "free";
    if (result.status === 401) return "other-vault";
    // Another VaultQL error (e.g. 503 while this vault's server is still loading) is ours too.
    return result.error.code === "bad_response" || result.error.code === "http_error" ? "foreign" : "ours";
  }
}
