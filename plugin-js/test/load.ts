/**
 * Loads the BUILT main.js as Obsidian does — CommonJS code evaluated with a `require` that
 * supplies the `obsidian` module — and answers its HTTP from the golden API fixtures
 * (fixtures/api/*.json, checked against the real server by tests/server/web/test_golden_api.py).
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as cmLanguage from "@codemirror/language";
import * as cmState from "@codemirror/state";
import * as cmView from "@codemirror/view";
import { childProcess, processes } from "./fakeprocess";
import * as obsidian from "./mock/obsidian";

const here = dirname(fileURLToPath(import.meta.url));
export const PLUGIN_DIR = join(here, "..");
export const GOLDEN_DIR = join(PLUGIN_DIR, "..", "fixtures", "api");

export interface Golden {
  request: {
    method: string;
    path: string;
    params?: Record<string, string>;
    json?: Record<string, unknown>;
  };
  status: number;
  body: unknown;
}

export function golden(name: string): Golden {
  return JSON.parse(readFileSync(join(GOLDEN_DIR, `${name}.json`), "utf8")) as Golden;
}

export function allGolden(): Record<string, Golden> {
  const out: Record<string, Golden> = {};
  for (const file of readdirSync(GOLDEN_DIR)) {
    if (file.endsWith(".json")) out[file.slice(0, -5)] = golden(file.slice(0, -5));
  }
  return out;
}

export type Route = (url: URL, param: obsidian.RequestUrlParam) => Golden | null | undefined;

/** Answers like the server: the golden fixture whose request matches by method and path. */
export function goldenServer(overrides: Record<string, Golden> = {}, extra?: Route) {
  const fixtures = { ...allGolden(), ...overrides };
  delete fixtures["error-unauthorized"];
  return (param: obsidian.RequestUrlParam) => {
    const url = new URL(param.url);
    const special = extra?.(url, param);
    if (special) return { status: special.status, text: JSON.stringify(special.body) };
    const candidates = Object.values(fixtures).filter(
      (g) => g.request.method === (param.method ?? "GET") && g.request.path === url.pathname,
    );
    const body = param.body ? (JSON.parse(param.body) as Record<string, unknown>) : null;
    const exact = candidates.find((g) => body && JSON.stringify(g.request.json) === JSON.stringify(body));
    const chosen = exact ?? (body && candidates.some((g) => g.request.json) ? undefined : candidates[0]);
    if (!chosen) {
      const error = { error: { code: "not_found", message: `no fixture for ${url.pathname}` } };
      return { status: 404, text: JSON.stringify(error) };
    }
    return { status: chosen.status, text: JSON.stringify(chosen.body) };
  };
}

const MAIN_JS = join(PLUGIN_DIR, "main.js");
const MANIFEST = JSON.parse(readFileSync(join(PLUGIN_DIR, "manifest.json"), "utf8"));

export interface Loaded {
  app: obsidian.App;
  plugin: obsidian.Plugin & Record<string, any>;
}

export const VAULT_PATHS = [
  "Home.md",
  "Projects/Website Redesign.md",
  "Projects/Learn Rust.md",
  "Projects/Garden Planning.md",
  "Daily/2024-03-15.md",
  "Resources/Recipes/Sourdough Bread.md",
];

export async function loadPlugin(
  data: Record<string, unknown> = {},
  app = new obsidian.App(VAULT_PATHS, "/home/me/My Vault"),
): Promise<Loaded> {
  const code = readFileSync(MAIN_JS, "utf8");
  const module = { exports: {} as Record<string, unknown> };
  // What Obsidian's desktop app provides to a plugin's require (child_process: a fake).
  const modules: Record<string, unknown> = {
    obsidian,
    "@codemirror/state": cmState,
    "@codemirror/view": cmView,
    "@codemirror/language": cmLanguage,
    child_process: childProcess,
  };
  const require = (name: string) => {
    if (name in modules) return modules[name];
    throw new Error(`main.js required ${name}, which Obsidian does not provide`);
  };
  new Function("module", "exports", "require", code)(module, module.exports, require);
  const PluginClass = module.exports.default as new (
    app: obsidian.App,
    manifest: obsidian.PluginManifest,
  ) => obsidian.Plugin;
  app.pluginData = { serverMode: "external", token: "golden-token", pollSeconds: 60, ...data };
  const plugin = new PluginClass(app, MANIFEST) as Loaded["plugin"];
  plugin.load();
  await plugin._loading;
  await flush();
  return { app, plugin };
}

/** Let pending promises (HTTP answers, renders) settle. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

export { obsidian, processes };
