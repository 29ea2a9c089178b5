/**
 * The server's state as the plugin sees it, from a cheap `/status` poll: reachable or not,
 * indexing progress, and the revision. Views subscribe; a new revision makes them refresh.
 * The poll itself is scheduled by main.ts through `registerInterval`, so unloading stops it.
 */
import type { ApiClient } from "./api";
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
  progress: Progress | null;
  notes: number | null;
  message: string | null;
}

export type Listener = (state: ConnectionState, previous: ConnectionState) => void;

export class ConnectionMonitor {
  state: ConnectionState = {
    kind: "connecting",
    revision: null,
    progress: null,
    notes: null,
    message: null,
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
        progress: status.progress,
        notes: status.notes ?? null,
        message: failed ? (status.progress.message ?? "indexing failed") : null,
      };
    } else {
      const kind: ConnectionKind =
        result.status === 0 ? "offline" : result.status === 401 ? "unauthorized" : "error";
      next = {
        kind,
        revision: this.state.revision,
        progress: null,
        notes: null,
        message: result.error.message,
      };
    }
    const previous = this.state;
    this.state = next;
    for (const listener of Array.from(this.listeners)) listener(next, previous);
  }
}
