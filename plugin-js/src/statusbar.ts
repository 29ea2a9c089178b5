/** The status bar item: the server the plugin runs, connection state, index progress. */
import type { ConnectionState } from "./connection";
import type { ServerState } from "./server_process";

export function startCommand(vaultPath: string | null, serverUrl: string): string {
  let port = "";
  try {
    const url = new URL(serverUrl);
    if (url.port && url.port !== "8377") port = ` --port ${url.port}`;
  } catch {
    // a malformed URL: the settings tab shows it; the command stays the default one
  }
  const vault = vaultPath ? quote(vaultPath) : "/path/to/vault";
  return `vaultql serve ${vault}${port}`;
}

function quote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `"${path.replace(/(["\\$`])/g, "\\$1")}"`;
}

/**
 * `server` is the plugin's own server (null when connecting to an external one): while it is
 * starting, restarting or has failed, that is what the status bar says; once it answers, the
 * connection's state (indexing progress, then ready) is shown.
 */
export function renderStatusBar(
  el: HTMLElement,
  state: ConnectionState,
  command: string,
  server: ServerState | null = null,
): void {
  el.empty();
  el.addClass("vaultql-status");
  let text: string;
  let title: string;
  let kind: string = state.kind;
  const answering = state.kind === "ready" || state.kind === "indexing";
  if (server && !answering && server.phase !== "running" && server.phase !== "reused") {
    kind = `server-${server.phase}`;
    switch (server.phase) {
      case "restarting":
        text = "VaultQL: server stopped — restarting…";
        break;
      case "failed":
        text = "VaultQL: server failed — click for details";
        break;
      case "stopped":
        text = "VaultQL: server stopped";
        break;
      default:
        text = "VaultQL: starting the server…";
    }
    title = server.message ?? text;
  } else {
    switch (state.kind) {
      case "connecting":
        text = "VaultQL: connecting…";
        title = "Contacting the VaultQL server";
        break;
      case "ready":
        text = `VaultQL: ready${state.notes !== null ? ` · ${state.notes} notes` : ""}`;
        title = `Connected, revision ${state.revision ?? "?"}`;
        break;
      case "indexing": {
        const p = state.progress;
        const pct = p && p.total > 0 ? ` ${Math.floor((100 * p.done) / p.total)}%` : "";
        text = `VaultQL: ${p?.phase ?? "indexing"} ${p ? `${p.done}/${p.total}` : ""}${pct}`.trim();
        title = state.message ?? "The server is building its index";
        break;
      }
      case "offline":
        text = server
          ? "VaultQL: server not answering"
          : `VaultQL: server not running — start it with: ${command}`;
        title = server ? (state.message ?? "") : `Click to copy: ${command}`;
        break;
      case "unauthorized":
        text = server
          ? "VaultQL: token refused — the port may belong to another vault's server"
          : "VaultQL: token refused — set it in the plugin settings";
        title = state.message ?? "";
        break;
      default:
        text = `VaultQL: error — ${state.message ?? "unknown"}`;
        title = state.message ?? "";
    }
  }
  el.setAttr("data-state", kind);
  el.setText(text);
  el.setAttr("aria-label", title);
  el.setAttr("title", title);
}
