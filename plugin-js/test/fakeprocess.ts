/**
 * A stand-in for Node's `child_process` module, handed to the built main.js by test/load.ts:
 * `spawn` records every call and returns a FakeChild the test drives (print, exit, crash).
 * `vaultql token VAULT` answers with `token` at once unless a test says otherwise.
 */

type Listener = (...args: unknown[]) => void;

class Emitter {
  private listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
}

let nextPid = 4000;

export class FakeChild extends Emitter {
  pid = nextPid++;
  exitCode: number | null = null;
  signalCode: string | null = null;
  stdout = new Emitter();
  stderr = new Emitter();
  signals: string[] = [];
  /** Whether SIGTERM ends it (a hung server ignores it until SIGKILL). */
  obeysSigterm = true;

  constructor(
    public command: string,
    public args: string[],
    public options: { env?: Record<string, string | undefined> },
  ) {
    super();
  }

  get alive(): boolean {
    return this.exitCode === null && this.signalCode === null;
  }

  kill(signal = "SIGTERM"): boolean {
    this.signals.push(signal);
    if (!this.alive) return false;
    if (signal === "SIGTERM" && !this.obeysSigterm) return true;
    setTimeout(() => this.exit(null, signal), 0);
    return true;
  }

  print(text: string, stream: "stdout" | "stderr" = "stdout"): void {
    this[stream].emit("data", text);
  }

  exit(code: number | null, signal: string | null = null): void {
    if (!this.alive) return;
    this.exitCode = code;
    this.signalCode = signal;
    this.emit("exit", code, signal);
  }
}

export const processes = {
  spawned: [] as FakeChild[],
  token: "managed-token-0123456789abcdef",
  /** Called for every spawn; the default answers `token` and leaves `serve` running. */
  onSpawn: null as ((child: FakeChild) => void) | null,
  reset(): void {
    this.spawned.length = 0;
    this.token = "managed-token-0123456789abcdef";
    this.onSpawn = null;
  },
  serves(): FakeChild[] {
    return this.spawned.filter((c) => c.args[0] === "serve");
  },
  running(): FakeChild[] {
    return this.serves().filter((c) => c.alive);
  },
};

export const childProcess = {
  spawn(command: string, args: string[], options: { env?: Record<string, string | undefined> }): FakeChild {
    const child = new FakeChild(command, args, options);
    processes.spawned.push(child);
    if (processes.onSpawn) {
      processes.onSpawn(child);
    } else if (args[0] === "token") {
      setTimeout(() => {
        child.print(`${processes.token}\n`);
        child.exit(0);
      }, 0);
    }
    return child;
  },
};
