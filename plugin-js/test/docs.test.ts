/** The README documents every setting, command and honoured Dataview setting (STYLE habit 8). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DATAVIEW_DEFAULTS } from "../src/dvsettings";
import { DEFAULT_SETTINGS } from "../src/settings";
import { loadPlugin, PLUGIN_DIR } from "./load";
import { track } from "./setup";

const README = readFileSync(join(PLUGIN_DIR, "README.md"), "utf8");

describe("plugin-js/README.md", () => {
  it("documents every setting", () => {
    const missing = Object.keys(DEFAULT_SETTINGS).filter((key) => !README.includes(`(\`${key}\`)`));
    expect(missing).toEqual([]);
  });

  it("documents every Dataview setting the plugin honours", () => {
    const missing = Object.keys(DATAVIEW_DEFAULTS).filter((key) => !README.includes(`\`${key}\``));
    expect(missing).toEqual([]);
  });

  it("documents every command", async () => {
    const { app, plugin } = await loadPlugin();
    track(plugin);
    const missing = [...app.commands.values()].map((c) => c.name).filter((name) => !README.includes(`| ${name} |`));
    expect(missing).toEqual([]);
  });
});
