/** scripts/release.mjs (`make plugin-release`): the versions must agree, then a folder and a zip. */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { PLUGIN_DIR } from "./load";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the plugin's release inputs, with these versions. */
function workspace(manifestVersion: string, versions: Record<string, string>, packageVersion = manifestVersion) {
  const dir = mkdtempSync(join(tmpdir(), "vaultql-release-"));
  dirs.push(dir);
  mkdirSync(join(dir, "scripts"));
  copyFileSync(join(PLUGIN_DIR, "scripts", "release.mjs"), join(dir, "scripts", "release.mjs"));
  writeFileSync(join(dir, "main.js"), "/* built */ module.exports = {};\n");
  writeFileSync(join(dir, "styles.css"), ".x {}\n");
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ id: "vaultql", version: manifestVersion, minAppVersion: "1.7.2" }));
  writeFileSync(join(dir, "versions.json"), JSON.stringify(versions));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ version: packageVersion }));
  const run = spawnSync(process.execPath, [join(dir, "scripts", "release.mjs")], { encoding: "utf8" });
  return { dir, run };
}

/** The names and contents in a zip archive (deflate entries), read back by hand. */
function unzip(buffer: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (buffer.readUInt32LE(at) === 0x04034b50) {
    const size = buffer.readUInt32LE(at + 18);
    const nameLength = buffer.readUInt16LE(at + 26);
    const name = buffer.subarray(at + 30, at + 30 + nameLength).toString("utf8");
    const start = at + 30 + nameLength;
    out[name] = inflateRawSync(buffer.subarray(start, start + size)).toString("utf8");
    at = start + size;
  }
  return out;
}

describe("the release", () => {
  it("copies the three files into a versioned folder and zip", () => {
    const { dir, run } = workspace("0.2.0", { "0.1.0": "1.5.0", "0.2.0": "1.7.2" });
    expect(run.status).toBe(0);
    expect(existsSync(join(dir, "dist", "vaultql-0.2.0", "main.js"))).toBe(true);
    const files = unzip(readFileSync(join(dir, "dist", "vaultql-0.2.0.zip")));
    expect(Object.keys(files)).toEqual(["vaultql/main.js", "vaultql/manifest.json", "vaultql/styles.css"]);
    expect(files["vaultql/main.js"]).toBe("/* built */ module.exports = {};\n");
  });

  it.each([
    ["a version versions.json lacks", "0.3.0", { "0.2.0": "1.7.2" }, "0.3.0", "versions.json has no entry for 0.3.0"],
    ["another minAppVersion", "0.2.0", { "0.2.0": "1.5.0" }, "0.2.0", "versions.json maps 0.2.0 to 1.5.0"],
    ["package.json behind", "0.2.0", { "0.2.0": "1.7.2" }, "0.1.0", "package.json's version 0.1.0"],
  ])("fails, writing nothing, with %s", (_what, manifest, versions, pkg, message) => {
    const { dir, run } = workspace(manifest, versions, pkg);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(message);
    expect(existsSync(join(dir, "dist"))).toBe(false);
  });

  it("the repository's own files agree", () => {
    const manifest = JSON.parse(readFileSync(join(PLUGIN_DIR, "manifest.json"), "utf8"));
    const versions = JSON.parse(readFileSync(join(PLUGIN_DIR, "versions.json"), "utf8"));
    const pkg = JSON.parse(readFileSync(join(PLUGIN_DIR, "package.json"), "utf8"));
    expect(versions[manifest.version]).toBe(manifest.minAppVersion);
    expect(pkg.version).toBe(manifest.version);
  });
});
