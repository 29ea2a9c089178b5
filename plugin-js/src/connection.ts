/**
 * The server's state as the plugin sees it, from a cheap `/status` poll: reachable or not,
 * indexing progress, the revision and the server's instance id, and the vault's Dataview
 * settings. Views subscribe; a new (instance, revision) makes them refresh. The poll itself is
 * scheduled by main.ts through `registerInterval`, so unloading stops it.
 */
import type { ApiClient } from "./api";
import { DataviewSettings, dataviewSettings } from "./dvsettings";
import type { Progress } from "./types";

export type ConnectionKind =
  | "connecting"
  | "ready"
  | "indexing"
  | "offline"
  | "unauthorized"
  | "error";

export interface ConnectionState {
  kind: ConnectionKind;
  revision: number | null;
  /** A random id per server run; null from a server that does not send one. */
  instance: string | null;
  progress: Progress | null;
  notes: number | null;
  message: string | null;
  settings: DataviewSettings;
}

export type Listener = (state: ConnectionState, previous: ConnectionState) => void;

/**
 * What a view last rendered: a restarted server may count revisions from 1 again, so the
 * instance is part of it, and so are the Dataview settings it was rendered with. Null while the
 * server is not ready (nothing to compare with).
 */
export function dataKey(state: ConnectionState): string | null {
  if (state.kind !== "ready" || state.revision === null) return null;
  return versionKey(state.instance, state.revision, state.settings);
}

export function versionKey(
  instance: string | null | undefined,
  revision: number,
  settings: DataviewSettings,
): string {
  return `${instance ?? ""}#${revision}#${JSON.stringify(settings)}`;
}

export class ConnectionMonitor {
  state: ConnectionState = {
    kind: "connecting",
    revision: null,
    instance: null,
    progress: null,
    notes: null,
    message: null,
    settings: dataviewSettings(null),
  };
  private readonly listeners = new Set<Listener>();
  private polling: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly api: ApiClient) {}

  /** Subscribe; returns the unsubscribe function (pass it to `register`). */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One poll; concurrent callers share it. */
  poll(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.polling) {
      this.polling = this.pollOnce().finally(() => {
        this.polling = null;
      });
    }
    return this.polling;
  }

  stop(): void {
    this.stopped = true;
    this.listeners.clear();
  }

  /** Tell every subscriber again (e.g. after the settings changed where the server is). */
  announce(): void {
    for (const listener of Array.from(this.listeners)) listener(this.state, this.state);
  }

  private async pollOnce(): Promise<void> {
    const result = await this.api.status();
    if (this.stopped) return;
    let next: ConnectionState;
    if (result.ok) {
      const status = result.data;
      const failed = status.progress.phase === "failed";
      next = {
        // Once the first index is built, later updates keep it usable: still "ready".
        kind: status.ready ? "ready" : failed ? "error" : "indexing",
        revision: status.ready ? status.revision : null,
        instance: status.instance ?? null,
        progress: status.progress,
        notes: status.notes ?? null,
        message: failed ? (status.progress.message ?? "indexing failed") : (status.reason ?? null),
        settings: status.dataview_settings
          ? dataviewSettings(status.dataview_settings)
          : this.state.settings,
      };
    } else {
      const kind: ConnectionKind =
        result.status === 0 ? "offline" : result.status === 401 ? "unauthorized" : "error";
      next = {
        kind,
        revision: this.state.revision,
        instance: this.state.instance,
        progress: null,
        notes: null,
        message: result.error.message,
        settings: this.state.settings,
      };
    }
    const previous = this.state;
    this.state = next;
    for (const listener of Array.from(this.listeners)) listener(next, previous);
  }
}
