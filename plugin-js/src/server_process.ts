/**
 * The VaultQL server the plugin runs itself (desktop only): it reads the vault's token with
 * `vaultql token VAULT`, reuses a server already answering for this vault on the configured
 * port, or starts `vaultql serve VAULT --port P --quiet`; it restarts the server when it dies
 * (with a growing delay, and a clear message after repeated failures) and stops it when asked,
 * so no process outlives the plugin. Spawning is injected (Node's `child_process.spawn` in
 * Obsidian, a fake in tests); this module never touches the network itself — `probe` is given.
 */
import { Platform } from "obsidian";

/** What the plugin needs of a child process (Node's ChildProcess has all of it). */
export interface ChildProcessLike {
  pid?: number;
  exitCode: number | null;
  signalCode?: string | null;
  stdout: StreamLike | null;
  stderr: StreamLike | null;
  on(event: "exit", listener: (code: number | null, signal: string | null) => void): unknown;
  on(event: "error", listener: (err: Error) => void): unknown;
  kill(signal?: "SIGTERM" | "SIGKILL"): boolean;
}

interface StreamLike {
  on(event: "data", listener: (chunk: unknown) => void): unknown;
}

export interface SpawnOptions {
  env: Record<string, string | undefined>;
  stdio: ["ignore", "pipe", "pipe"];
  windowsHide: boolean;
}

export type SpawnFunction = (command: string, args: string[], options: SpawnOptions) => ChildProcessLike;

/** Who answers on the port: this vault's server, another vault's, something else, or nothing. */
export type ProbeResult = "ours" | "other-vault" | "foreign" | "free";

export type ServerPhase =
  | "idle"
  | "starting"
  | "running"
  | "reused"
  | "restarting"
  | "failed"
  | "stopped";

export interface ServerState {
  phase: ServerPhase;
  message: string | null;
  pid: number | null;
  /** Consecutive failures since the server last ran for a while. */
  failures: number;
}

export interface ServerConfig {
  /** The program: `vaultql` (looked up on PATH) or a full path. */
  command: string;
  /** A virtual environment folder holding VaultQL; its `bin/vaultql` is used when set. */
  venvPath: string;
  port: number;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(id: number): void;
}

export interface ManagedServerOptions {
  spawn: SpawnFunction;
  vaultPath: string;
  config: () => ServerConfig;
  probe: (port: number, token: string) => Promise<ProbeResult>;
  onChange?: (state: ServerState) => void;
  env?: Record<string, string | undefined>;
  windows?: boolean;
  clock?: Clock;
  /** Delays before each restart; the last one repeats. */
  backoffMs?: number[];
  /** Give up after this many failures in a row. */
  maxFailures?: number;
  /** A server that ran this long before dying starts a new count of failures. */
  stableMs?: number;
  /** SIGKILL a server still running this long after SIGTERM. */
  killAfterMs?: number;
  /** `vaultql token` must answer within this. */
  tokenTimeoutMs?: number;
}

const windowClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (id) => window.clearTimeout(id),
};

/** Node's `child_process.spawn`, on the desktop app only (null on mobile). */
export function nodeSpawn(): SpawnFunction | null {
  if (!Platform.isDesktopApp) return null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- desktop only (checked above): Obsidian's desktop renderer provides Node's require, and a static import would break loading on mobile
  const childProcess = require("child_process") as typeof import("child_process");
  return (command, args, options) => childProcess.spawn(command, args, options) as unknown as ChildProcessLike;
}

/** The environment the plugin runs in (Obsidian's desktop renderer has Node's `process`). */
export function hostEnv(): Record<string, string | undefined> {
  const proc = (window as unknown as { process?: { env?: Record<string, string | undefined> } }).process;
  return { ...(proc?.env ?? {}) };
}

/**
 * The program to run and its environment. An app started from the desktop often has a short
 * PATH, so the usual user install folders are added after it (pip --user, pipx, Homebrew).
 */
export function resolveCommand(
  config: ServerConfig,
  env: Record<string, string | undefined>,
  windows = false,
): { file: string; env: Record<string, string | undefined> } {
  const sep = windows ? "\\" : "/";
  const name = config.command.trim() || "vaultql";
  let file = name;
  const venv = config.venvPath.trim().replace(/[\\/]+$/, "");
  const extra: string[] = [];
  if (venv) {
    const bin = `${venv}${sep}${windows ? "Scripts" : "bin"}`;
    if (!/[\\/]/.test(name)) file = `${bin}${sep}${name}${windows && !name.endsWith(".exe") ? ".exe" : ""}`;
    extra.push(bin);
  }
  const home = env.HOME ?? env.USERPROFILE;
  if (!windows) {
    if (home) extra.push(`${home}/.local/bin`);
    extra.push("/opt/homebrew/bin", "/usr/local/bin");
  }
  const pathKey = Object.keys(env).find((k) => k.toUpperCase() === "PATH") ?? "PATH";
  const current = (env[pathKey] ?? "").split(windows ? ";" : ":").filter(Boolean);
  const path = [...current, ...extra.filter((dir) => !current.includes(dir))].join(windows ? ";" : ":");
  return { file, env: { ...env, [pathKey]: path } };
}

function text(chunk: unknown): string {
  return typeof chunk === "string" ? chunk : String(chunk);
}

export class ManagedServer {
  state: ServerState = { phase: "idle", message: null, pid: null, failures: 0 };
  /** This vault's API token, read with `vaultql token`. */
  token: string | null = null;
  private child: ChildProcessLike | null = null;
  private startedAt = 0;
  private restartTimer: number | null = null;
  private starting: Promise<void> | null = null;
  private stopped = false;
  private readonly log: string[] = [];
  private readonly clock: Clock;
  private readonly backoff: number[];
  private readonly maxFailures: number;
  private readonly stableMs: number;
  private readonly killAfterMs: number;
  private readonly tokenTimeoutMs: number;

  constructor(private readonly options: ManagedServerOptions) {
    this.clock = options.clock ?? windowClock;
    this.backoff = options.backoffMs ?? [1000, 2000, 4000, 8000, 16000];
    this.maxFailures = options.maxFailures ?? 5;
    this.stableMs = options.stableMs ?? 60000;
    this.killAfterMs = options.killAfterMs ?? 5000;
    this.tokenTimeoutMs = options.tokenTimeoutMs ?? 30000;
  }

  /** The process the plugin started, while it runs. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Token, then reuse or start; concurrent callers share one attempt. */
  start(): Promise<void> {
    this.stopped = false;
    if (!this.starting) {
      this.starting = this.startOnce().finally(() => {
        this.starting = null;
      });
    }
    return this.starting;
  }

  /** Stop, forget past failures, start again (the "VaultQL: Restart the server" command). */
  async restart(): Promise<void> {
    await this.stop(); // the old one must be gone, or it would be found on the port and reused
    this.state.failures = 0;
    await this.start();
  }

  /** What the connection monitor sees: a ready server is running; a vanished reused one is replaced. */
  observe(reachable: boolean): void {
    if (this.stopped) return;
    if (reachable && this.state.phase === "starting") {
      this.set("running", null);
    } else if (!reachable && this.state.phase === "reused" && this.child === null) {
      void this.start();
    }
  }

  /**
   * Stops the server this plugin started (never a reused one); no restart follows. SIGTERM
   * first, SIGKILL if it is still there `killAfterMs` later; resolves once it has exited.
   */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer !== null) this.clock.clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    this.child = null;
    this.set("stopped", null, null);
    if (!child || child.exitCode !== null || child.signalCode) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        if (child.exitCode === null && !child.signalCode) child.kill("SIGKILL");
      }, this.killAfterMs);
      child.on("exit", () => {
        this.clock.clearTimeout(timer);
        resolve();
      });
      child.kill("SIGTERM");
    });
  }

  private async startOnce(): Promise<void> {
    const config = this.options.config();
    if (this.token === null) {
      this.set("starting", "Reading the vault's token…");
      try {
        this.token = await this.readToken(config);
      } catch (err) {
        this.set("failed", err instanceof Error ? err.message : String(err));
        return;
      }
    }
    if (this.stopped) return;
    const found = await this.options.probe(config.port, this.token);
    if (this.stopped) return;
    if (found === "ours") {
      this.set("reused", `Using the VaultQL server already running for this vault on port ${config.port}.`);
      return;
    }
    if (found === "other-vault") {
      this.set("failed", `Port ${config.port} is used by a VaultQL server for another vault: choose another port in the settings.`);
      return;
    }
    if (found === "foreign") {
      this.set("failed", `Port ${config.port} is used by another program: choose another port in the settings.`);
      return;
    }
    this.launch();
  }

  private readToken(config: ServerConfig): Promise<string> {
    const { file, env } = resolveCommand(config, this.options.env ?? {}, this.options.windows);
    return new Promise((resolve, reject) => {
      let out = "";
      let err = "";
      let child: ChildProcessLike;
      try {
        child = this.options.spawn(file, ["token", this.options.vaultPath], {
          env,
          stdio: ["ignore", "pipe", "pipe"],
          windowsHide: true,
        });
      } catch (error) {
        reject(new Error(this.cannotRun(file, error)));
        return;
      }
      const timer = this.clock.setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`"${file} token" did not answer within ${this.tokenTimeoutMs / 1000} s.`));
      }, this.tokenTimeoutMs);
      child.stdout?.on("data", (chunk) => (out += text(chunk)));
      child.stderr?.on("data", (chunk) => (err += text(chunk)));
      child.on("error", (error) => {
        this.clock.clearTimeout(timer);
        reject(new Error(this.cannotRun(file, error)));
      });
      child.on("exit", (code) => {
        this.clock.clearTimeout(timer);
        const token = out.trim().split(/\r?\n/).pop()?.trim() ?? "";
        if (code === 0 && token) resolve(token);
        else reject(new Error(`"${file} token" failed (exit ${code}): ${err.trim() || out.trim() || "no output"}`));
      });
    });
  }

  private cannotRun(file: string, error: unknown): string {
    const code = (error as { code?: string } | null)?.code;
    const why = code === "ENOENT" ? "not found" : error instanceof Error ? error.message : String(error);
    return (
      `Could not run "${file}" (${why}). Install VaultQL, or set the command's full path or ` +
      "the virtual environment folder in the VaultQL settings."
    );
  }

  private launch(): void {
    this.restartTimer = null;
    if (this.stopped) return;
    const config = this.options.config();
    const { file, env } = resolveCommand(config, this.options.env ?? {}, this.options.windows);
    const args = ["serve", this.options.vaultPath, "--port", String(config.port), "--quiet"];
    let child: ChildProcessLike;
    try {
      child = this.options.spawn(file, args, { env, stdio: ["ignore", "pipe", "pipe"], windowsHide: true });
    } catch (error) {
      this.failed(this.cannotRun(file, error));
      return;
    }
    this.child = child;
    this.startedAt = this.clock.now();
    this.log.length = 0;
    const keep = (chunk: unknown) => {
      for (const line of text(chunk).split(/\r?\n|\r/)) {
        if (line.trim()) this.log.push(line.trim());
      }
      this.log.splice(0, Math.max(0, this.log.length - 20));
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.on("error", (error) => {
      if (this.child !== child) return;
      this.child = null;
      this.failed(this.cannotRun(file, error));
    });
    child.on("exit", (code, signal) => {
      if (this.child !== child) return; // stopped on purpose, or already replaced
      this.child = null;
      const last = this.log.at(-1);
      this.failed(`the server exited (${signal ?? `code ${code}`})${last ? `: ${last}` : ""}`);
    });
    this.set("starting", `Starting the VaultQL server on port ${config.port}…`, child.pid ?? null);
  }

  /** One more failure: restart after a delay, or give up with the reason. */
  private failed(why: string): void {
    if (this.stopped) return;
    if (this.startedAt && this.clock.now() - this.startedAt >= this.stableMs) this.state.failures = 0;
    this.state.failures++;
    const failures = this.state.failures;
    if (failures >= this.maxFailures) {
      this.set(
        "failed",
        `The VaultQL server failed ${failures} times in a row; last: ${why}. ` +
          'Fix the cause, then run "VaultQL: Restart the server".',
        null,
      );
      return;
    }
    const delay = this.backoff[Math.min(failures - 1, this.backoff.length - 1)] ?? 1000;
    this.set("restarting", `${why}; restarting in ${Math.round(delay / 100) / 10} s (failure ${failures} of ${this.maxFailures}).`, null);
    this.restartTimer = this.clock.setTimeout(() => this.launch(), delay);
  }

  private set(phase: ServerPhase, message: string | null, pid: number | null = this.pid): void {
    this.state = { phase, message, pid, failures: this.state.failures };
    this.options.onChange?.(this.state);
  }
}
