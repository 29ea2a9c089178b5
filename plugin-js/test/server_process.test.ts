/** src/server_process.ts on its own: the spawn function and the clock are injected. */
import { describe, expect, it } from "vitest";
import {
  ManagedServer,
  type ManagedServerOptions,
  type ProbeResult,
  resolveCommand,
} from "../src/server_process";
import { childProcess, FakeChild, processes } from "./fakeprocess";

/** A clock whose timers run only when the test says so. */
function manualClock() {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn: () => void, ms: number) => {
      timers.set(nextId, { at: now + ms, fn });
      return nextId++;
    },
    clearTimeout: (id: number) => void timers.delete(id),
    pending: () => [...timers.values()].map((t) => t.at - now).sort((a, b) => a - b),
    async advance(ms: number) {
      now += ms;
      for (const [id, timer] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (timer.at <= now) {
          timers.delete(id);
          timer.fn();
        }
      }
      await settle();
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

function server(overrides: Partial<ManagedServerOptions> = {}, probe: ProbeResult = "free") {
  const clock = manualClock();
  const states: string[] = [];
  const managed = new ManagedServer({
    spawn: childProcess.spawn as never,
    vaultPath: "/vaults/My Vault",
    config: () => ({ command: "vaultql", venvPath: "", port: 8400 }),
    probe: async () => probe,
    env: { PATH: "/usr/bin", HOME: "/home/me" },
    clock,
    onChange: (state) => states.push(state.phase),
    ...overrides,
  });
  return { managed, clock, states };
}

const serves = () => processes.serves();

describe("ManagedServer", () => {
  it("reads the token with `vaultql token VAULT`, then runs `vaultql serve VAULT --port P --quiet`", async () => {
    const { managed, states } = server();
    await managed.start();
    const [token, serve] = processes.spawned as [FakeChild, FakeChild];
    expect([token.command, ...token.args]).toEqual(["vaultql", "token", "/vaults/My Vault"]);
    expect([serve.command, ...serve.args]).toEqual(["vaultql", "serve", "/vaults/My Vault", "--port", "8400", "--quiet"]);
    expect(managed.token).toBe(processes.token);
    expect(managed.state.phase).toBe("starting");
    managed.observe(true); // the connection monitor reached it
    expect(managed.state).toMatchObject({ phase: "running", pid: serve.pid });
    expect(states).toEqual(["starting", "starting", "running"]);
  });

  it("reuses a server already answering for this vault, and never stops it", async () => {
    const { managed } = server({}, "ours");
    await managed.start();
    expect(serves()).toHaveLength(0);
    expect(managed.state.phase).toBe("reused");
    managed.stop();
    expect(processes.spawned.every((c) => c.signals.length === 0)).toBe(true);
  });

  it("starts its own when the reused server goes away", async () => {
    let answer: ProbeResult = "ours";
    const { managed } = server({ probe: async () => answer });
    await managed.start();
    answer = "free";
    managed.observe(false);
    await settle();
    expect(serves()).toHaveLength(1);
  });

  it("says so when the port belongs to another vault's server or another program", async () => {
    const other = server({}, "other-vault");
    await other.managed.start();
    expect(other.managed.state.phase).toBe("failed");
    expect(other.managed.state.message).toBe(
      "Port 8400 is used by a VaultQL server for another vault: choose another port in the settings.",
    );
    const foreign = server({}, "foreign");
    await foreign.managed.start();
    expect(foreign.managed.state.message).toContain("used by another program");
    expect(serves()).toHaveLength(0);
  });

  it("explains a command that cannot be found", async () => {
    processes.onSpawn = (child) =>
      setTimeout(() => child.emit("error", Object.assign(new Error("spawn vaultql ENOENT"), { code: "ENOENT" })), 0);
    const { managed } = server();
    await managed.start();
    expect(managed.state.phase).toBe("failed");
    expect(managed.state.message).toBe(
      'Could not run "vaultql" (not found). Install VaultQL, or set the command\'s full path or the virtual environment folder in the VaultQL settings.',
    );
  });

  it("restarts a server that died, waiting longer each time, and gives up with the reason", async () => {
    const { managed, clock } = server({ backoffMs: [1000, 2000, 4000], maxFailures: 4 });
    await managed.start();
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const child = serves().at(-1)!;
      child.print("Traceback …\nOSError: [Errno 98] address already in use\n", "stderr");
      child.exit(null, "SIGKILL");
      expect(managed.state.phase).toBe("restarting");
      delays.push(clock.pending()[0]!);
      await clock.advance(clock.pending()[0]!);
      expect(serves()).toHaveLength(i + 2);
    }
    expect(delays).toEqual([1000, 2000, 4000]);
    serves().at(-1)!.exit(1);
    expect(managed.state.phase).toBe("failed");
    expect(managed.state.message).toBe(
      "The VaultQL server failed 4 times in a row; last: the server exited (code 1). " +
        'Fix the cause, then run "VaultQL: Restart the server".',
    );
    expect(clock.pending()).toEqual([]);
    await managed.restart(); // the command: a fresh count
    expect(managed.state).toMatchObject({ phase: "starting", failures: 0 });
    expect(serves().at(-1)!.alive).toBe(true);
  });

  it("counts failures afresh after the server ran for a while", async () => {
    const { managed, clock } = server({ stableMs: 60000, maxFailures: 2 });
    await managed.start();
    serves().at(-1)!.exit(1);
    await clock.advance(1000);
    await clock.advance(120000); // ran two minutes
    serves().at(-1)!.exit(1);
    expect(managed.state).toMatchObject({ phase: "restarting", failures: 1 });
  });

  it("stops its server with SIGTERM, then SIGKILL if it does not exit, and never restarts it", async () => {
    const { managed, clock } = server({ killAfterMs: 3000 });
    await managed.start();
    const child = serves()[0]!;
    child.obeysSigterm = false; // a hung server
    managed.stop();
    expect(child.signals).toEqual(["SIGTERM"]);
    await clock.advance(3000);
    expect(child.signals).toEqual(["SIGTERM", "SIGKILL"]);
    await settle();
    expect(child.alive).toBe(false);
    expect(managed.state.phase).toBe("stopped");
    expect(clock.pending()).toEqual([]);
    expect(serves()).toHaveLength(1);
  });

  it("finds the command in a virtual environment and adds the usual install folders to PATH", () => {
    const unix = resolveCommand({ command: "vaultql", venvPath: "/home/me/vq/.venv/", port: 1 }, { PATH: "/usr/bin", HOME: "/home/me" });
    expect(unix.file).toBe("/home/me/vq/.venv/bin/vaultql");
    expect(unix.env.PATH).toBe("/usr/bin:/home/me/vq/.venv/bin:/home/me/.local/bin:/opt/homebrew/bin:/usr/local/bin");
    const win = resolveCommand({ command: "vaultql", venvPath: "C:\\vq\\venv", port: 1 }, { Path: "C:\\Windows" }, true);
    expect(win.file).toBe("C:\\vq\\venv\\Scripts\\vaultql.exe");
    expect(win.env.Path).toBe("C:\\Windows;C:\\vq\\venv\\Scripts");
    const full = resolveCommand({ command: "/opt/vaultql/bin/vaultql", venvPath: "/ignored", port: 1 }, {});
    expect(full.file).toBe("/opt/vaultql/bin/vaultql");
  });
});
