// Bundles src/main.ts into main.js the way Obsidian loads plugins: one CommonJS file whose
// default export is the Plugin class, with `obsidian` (and CodeMirror, electron, Node built-ins) left to the host.
import esbuild from "esbuild";

const production = !process.argv.includes("--watch");

const options = {
  entryPoints: ["src/main.ts"],
  bundle: true,
  format: "cjs",
  platform: "browser",
  target: "es2020",
  outfile: "main.js",
  // Node built-ins exist only on the desktop app, where the plugin requires them behind Platform.isDesktopApp.
  external: ["obsidian", "electron", "@codemirror/*", "@lezer/*", "child_process"],
  sourcemap: production ? false : "inline",
  minify: false,
  logLevel: "info",
  banner: { js: "/* VaultQL Obsidian plugin: built by esbuild from plugin-js/src; do not edit. */" },
};

if (production) {
  await esbuild.build(options);
} else {
  const context = await esbuild.context(options);
  await context.watch();
}
