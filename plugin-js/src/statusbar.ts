/** The status bar item: connection state, index progress, and how to start the server. */
import type { ConnectionState } from "./connection";

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

export function renderStatusBar(el: HTMLElement, state: ConnectionState, command: string): void {
  el.empty();
  el.addClass("vaultql-status");
  el.setAttr("data-state", state.kind);
  let text: string;
  let title: string;
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
      title = "The server is building its index";
      break;
    }
    case "offline":
      text = `VaultQL: server not running — start it with: ${command}`;
      title = `Click to copy: ${command}`;
      break;
    case "unauthorized":
      text = "VaultQL: token refused — set it in the plugin settings";
      title = state.message ?? "";
      break;
    default:
      text = `VaultQL: error — ${state.message ?? "unknown"}`;
      title = state.message ?? "";
  }
  el.setText(text);
  el.setAttr("aria-label", title);
  el.setAttr("title", title);
}
