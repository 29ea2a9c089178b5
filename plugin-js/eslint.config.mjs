// eslint-plugin-obsidianmd's recommended rules (ESLint's and typescript-eslint's type-checked
// recommended sets included) on the plugin's source; `npm test` runs it before the tests.
import { defineConfig } from "eslint/config";
import obsidianmd from "eslint-plugin-obsidianmd";

export default defineConfig([
  // The built bundle, the release folder, tests and tools are not plugin code.
  { ignores: ["main.js", "dist/", "node_modules/", "test/", "e2e/", "*.config.*", "scripts/"] },
  ...obsidianmd.configs.recommended,
  {
    files: ["src/**/*.ts"],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Sentence case, with this plugin's proper names and acronyms kept as they are written.
      "obsidianmd/ui/sentence-case": [
        "warn",
        { brands: ["VaultQL", "Dataview", "DataviewJS", "Python"], acronyms: ["PARA", "PATH", "URL", "API"] },
      ],
    },
  },
]);
