/**
 * A small hand-written stand-in for the `obsidian` module: just the API surface the plugin uses,
 * behaving the way Obsidian does (Component lifecycles, views in leaves, code block processors,
 * SuggestModal keyboard handling, requestUrl with `throw: false`). Used by the vitest suite
 * (happy-dom) and, bundled, by the end-to-end harness in real Chromium.
 */

import { StateField } from "@codemirror/state";

/* ---------- Obsidian's DOM helpers (globals in the real app) ---------- */

interface ElInfo {
  cls?: string | string[];
  text?: string;
  attr?: Record<string, string | number | boolean | null>;
  title?: string;
  href?: string;
  type?: string;
  value?: string;
  placeholder?: string;
}

function applyInfo(el: HTMLElement, info?: ElInfo | string): void {
  if (info === undefined) return;
  if (typeof info === "string") {
    el.className = info;
    return;
  }
  if (info.cls) {
    const classes = Array.isArray(info.cls) ? info.cls : info.cls.split(/\s+/);
    el.classList.add(...classes.filter(Boolean));
  }
  if (info.text !== undefined) el.textContent = info.text;
  if (info.title !== undefined) el.title = info.title;
  if (info.href !== undefined) el.setAttribute("href", info.href);
  if (info.type !== undefined) el.setAttribute("type", info.type);
  if (info.value !== undefined) (el as HTMLInputElement).value = info.value;
  if (info.placeholder !== undefined) el.setAttribute("placeholder", info.placeholder);
  for (const [key, value] of Object.entries(info.attr ?? {})) {
    if (value === null || value === false) continue;
    el.setAttribute(key, String(value));
  }
}

export function installDomHelpers(win: Window & typeof globalThis): void {
  const proto = win.HTMLElement.prototype as unknown as Record<string, unknown>;
  const nodeProto = win.Node.prototype as unknown as Record<string, unknown>;
  if (proto.createEl) return;
  function createEl(
    this: HTMLElement,
    tag: string,
    info?: ElInfo | string,
    callback?: (el: HTMLElement) => void,
  ): HTMLElement {
    const el = win.document.createElement(tag);
    applyInfo(el, info);
    this.appendChild(el);
    callback?.(el);
    return el;
  }
  proto.createEl = createEl;
  proto.createDiv = function (this: HTMLElement, info?: ElInfo | string) {
    return createEl.call(this, "div", info);
  };
  proto.createSpan = function (this: HTMLElement, info?: ElInfo | string) {
    return createEl.call(this, "span", info);
  };
  proto.empty = function (this: HTMLElement) {
    while (this.firstChild) this.removeChild(this.firstChild);
  };
  proto.setText = function (this: HTMLElement, text: string) {
    this.textContent = text;
  };
  nodeProto.appendText = function (this: Node, text: string) {
    this.appendChild(win.document.createTextNode(text));
  };
  proto.addClass = function (this: HTMLElement, ...classes: string[]) {
    this.classList.add(...classes);
  };
  proto.removeClass = function (this: HTMLElement, ...classes: string[]) {
    this.classList.remove(...classes);
  };
  proto.toggleClass = function (this: HTMLElement, cls: string, on: boolean) {
    this.classList.toggle(cls, on);
  };
  proto.hasClass = function (this: HTMLElement, cls: string) {
    return this.classList.contains(cls);
  };
  proto.setAttr = function (this: HTMLElement, name: string, value: string | number | boolean | null) {
    if (value === null) this.removeAttribute(name);
    else this.setAttribute(name, String(value));
  };
  proto.detach = function (this: HTMLElement) {
    this.remove();
  };
  // Obsidian's global element factories (createSpan() etc. without a parent).
  const globals = win as unknown as Record<string, unknown>;
  const detached = (tag: string) => (info?: ElInfo | string) => {
    const el = win.document.createElement(tag);
    applyInfo(el, info);
    return el;
  };
  globals.createEl = (tag: string, info?: ElInfo | string) => detached(tag)(info);
  globals.createDiv = detached("div");
  globals.createSpan = detached("span");
}

if (typeof window !== "undefined") installDomHelpers(window as Window & typeof globalThis);

function div(cls?: string): HTMLElement {
  const el = document.createElement("div");
  if (cls) el.className = cls;
  return el;
}

/* ---------- Events and Component ---------- */

export interface EventRef {
  events: Events;
  name: string;
  fn: (...args: unknown[]) => unknown;
}

export class Events {
  private handlers = new Map<string, EventRef[]>();

  on(name: string, fn: (...args: never[]) => unknown): EventRef {
    const ref: EventRef = { events: this, name, fn: fn as (...args: unknown[]) => unknown };
    this.handlers.set(name, [...(this.handlers.get(name) ?? []), ref]);
    return ref;
  }

  offref(ref: EventRef): void {
    this.handlers.set(ref.name, (this.handlers.get(ref.name) ?? []).filter((r) => r !== ref));
  }

  trigger(name: string, ...args: unknown[]): void {
    for (const ref of this.handlers.get(name) ?? []) ref.fn(...args);
  }

  listenerCount(name: string): number {
    return (this.handlers.get(name) ?? []).length;
  }
}

export class Component {
  _loaded = false;
  _children: Component[] = [];
  _cleanups: (() => unknown)[] = [];
  _loading: Promise<unknown> | undefined;

  load(): void {
    if (this._loaded) return;
    this._loaded = true;
    this._loading = Promise.resolve(this.onload());
    for (const child of this._children) child.load();
  }

  onload(): unknown {
    return undefined;
  }

  unload(): void {
    if (!this._loaded) return;
    this._loaded = false;
    for (const child of this._children.splice(0)) child.unload();
    for (const cleanup of this._cleanups.splice(0).reverse()) cleanup();
    this.onunload();
  }

  onunload(): void {}

  addChild<T extends Component>(child: T): T {
    this._children.push(child);
    if (this._loaded) child.load();
    return child;
  }

  removeChild<T extends Component>(child: T): T {
    this._children = this._children.filter((c) => c !== child);
    child.unload();
    return child;
  }

  register(cleanup: () => unknown): void {
    this._cleanups.push(cleanup);
  }

  registerEvent(ref: EventRef): void {
    this.register(() => ref.events.offref(ref));
  }

  registerDomEvent(el: EventTarget, type: string, fn: (evt: Event) => unknown): void {
    el.addEventListener(type, fn);
    this.register(() => el.removeEventListener(type, fn));
  }

  registerInterval(id: number): number {
    this.register(() => window.clearInterval(id));
    return id;
  }
}

/* ---------- Files, vault, metadata ---------- */

export class TAbstractFile {
  constructor(public path: string) {}
  get name(): string {
    return this.path.slice(this.path.lastIndexOf("/") + 1);
  }
}

export class TFile extends TAbstractFile {
  get extension(): string {
    const dot = this.name.lastIndexOf(".");
    return dot < 0 ? "" : this.name.slice(dot + 1);
  }
  get basename(): string {
    const dot = this.name.lastIndexOf(".");
    return dot < 0 ? this.name : this.name.slice(0, dot);
  }
}

export class Vault extends Events {
  files = new Map<string, TFile>();
  /** File contents, for `read` and `process` (tests put a note's text here). */
  contents = new Map<string, string>();
  /** Every `process` call: the path and whether the function changed the text. */
  processed: { path: string; changed: boolean }[] = [];
  adapter: { getBasePath(): string };

  constructor(paths: string[], basePath: string) {
    super();
    for (const path of paths) this.files.set(path, new TFile(path));
    this.adapter = { getBasePath: () => basePath };
  }

  getAbstractFileByPath(path: string): TAbstractFile | null {
    return this.files.get(path) ?? null;
  }

  async read(file: TFile): Promise<string> {
    return this.contents.get(file.path) ?? "";
  }

  /** Like Obsidian's: read, transform and write back atomically. */
  async process(file: TFile, fn: (data: string) => string): Promise<string> {
    const before = this.contents.get(file.path) ?? "";
    const after = fn(before);
    this.processed.push({ path: file.path, changed: after !== before });
    if (after !== before) {
      this.contents.set(file.path, after);
      this.trigger("modify", file);
    }
    return after;
  }

  getResourcePath(file: TFile): string {
    return `app://local/${encodeURI(file.path)}`;
  }

  getMarkdownFiles(): TFile[] {
    return [...this.files.values()].filter((f) => f.extension === "md");
  }
}

export class MetadataCache extends Events {
  constructor(private vault: Vault) {
    super();
  }

  /** Obsidian's resolution, simplified: the exact path, with ".md" added, else the file name. */
  getFirstLinkpathDest(linkpath: string, _sourcePath: string): TFile | null {
    const path = linkpath.split("#")[0] ?? "";
    const files = [...this.vault.files.values()];
    return (
      files.find((f) => f.path === path || f.path === `${path}.md`) ??
      files.find((f) => f.name === path || f.basename === path) ??
      null
    );
  }

  /** Obsidian's shortest form: the base name when it is unique in the vault. */
  fileToLinktext(file: TFile, _sourcePath: string, omitMdExtension = true): string {
    const same = this.vault.getMarkdownFiles().filter((f) => f.basename === file.basename);
    const full = omitMdExtension && file.extension === "md" ? file.path.slice(0, -3) : file.path;
    return same.length === 1 ? file.basename : full;
  }
}

/* ---------- Editor, views and leaves ---------- */

export interface EditorPosition {
  line: number;
  ch: number;
}

export class Editor {
  constructor(public text: string) {}

  getValue(): string {
    return this.text;
  }

  setValue(text: string): void {
    this.text = text;
  }

  lineCount(): number {
    return this.text.split("\n").length;
  }

  getLine(line: number): string {
    return this.text.split("\n")[line] ?? "";
  }

  posToOffset(pos: EditorPosition): number {
    const lines = this.text.split("\n");
    let offset = 0;
    for (let i = 0; i < pos.line; i++) offset += (lines[i] ?? "").length + 1;
    return offset + pos.ch;
  }

  offsetToPos(offset: number): EditorPosition {
    const before = this.text.slice(0, offset).split("\n");
    return { line: before.length - 1, ch: (before[before.length - 1] ?? "").length };
  }

  getRange(from: EditorPosition, to: EditorPosition): string {
    return this.text.slice(this.posToOffset(from), this.posToOffset(to));
  }

  replaceRange(replacement: string, from: EditorPosition, to?: EditorPosition): void {
    const start = this.posToOffset(from);
    const end = this.posToOffset(to ?? from);
    this.text = this.text.slice(0, start) + replacement + this.text.slice(end);
  }
}

export class View extends Component {
  app: App;
  containerEl: HTMLElement;
  constructor(public leaf: WorkspaceLeaf) {
    super();
    this.app = leaf.app;
    this.containerEl = div("workspace-leaf-content");
  }
  getViewType(): string {
    return "empty";
  }
  getDisplayText(): string {
    return "";
  }
  getIcon(): string {
    return "";
  }
}

export class ItemView extends View {
  contentEl: HTMLElement;
  constructor(leaf: WorkspaceLeaf) {
    super(leaf);
    this.containerEl.appendChild(div("view-header"));
    this.contentEl = div("view-content");
    this.containerEl.appendChild(this.contentEl);
  }
  async onOpen(): Promise<void> {}
  async onClose(): Promise<void> {}
}

export class MarkdownView extends View {
  editor: Editor;
  constructor(
    leaf: WorkspaceLeaf,
    public file: TFile,
    text: string,
  ) {
    super(leaf);
    this.editor = new Editor(text);
  }
  override getViewType(): string {
    return "markdown";
  }
}

export interface OpenRecord {
  linktext?: string;
  path?: string;
  sourcePath?: string;
  eState?: unknown;
  /** Where it opened, when not the current pane ("tab" for Ctrl/Cmd-click). */
  newLeaf?: unknown;
}

export class WorkspaceLeaf {
  view: View;
  newLeaf: unknown = false;
  constructor(public app: App) {
    this.view = new View(this);
  }

  async setViewState(state: { type: string; active?: boolean }): Promise<void> {
    const factory = this.app.viewRegistry.get(state.type);
    if (!factory) throw new Error(`no view registered for ${state.type}`);
    this.close();
    const view = factory(this);
    this.view = view;
    this.app.workspace.containerEl.appendChild(view.containerEl);
    view.load();
    if (view instanceof ItemView) await view.onOpen();
  }

  async openFile(file: TFile, openState?: { eState?: unknown }): Promise<void> {
    const record: OpenRecord = { path: file.path, eState: openState?.eState };
    if (this.newLeaf) record.newLeaf = this.newLeaf;
    this.app.workspace.opened.push(record);
  }

  private close(): void {
    if (this.view instanceof ItemView) void this.view.onClose();
    this.view.unload();
    this.view.containerEl.remove();
  }

  detach(): void {
    this.app.workspace.leaves = this.app.workspace.leaves.filter((l) => l !== this);
    this.close();
  }
}

export class Workspace extends Events {
  leaves: WorkspaceLeaf[] = [];
  activeFile: TFile | null = null;
  opened: OpenRecord[] = [];
  containerEl = div("workspace");

  constructor(private app: App) {
    super();
    document.body.appendChild(this.containerEl);
  }

  onLayoutReady(fn: () => void): void {
    fn();
  }

  getActiveFile(): TFile | null {
    return this.activeFile;
  }

  /** What Obsidian does when the user switches notes. */
  setActiveFile(file: TFile | null): void {
    this.activeFile = file;
    this.trigger("file-open", file);
    this.trigger("active-leaf-change", null);
  }

  /** A note open in an editor (for the "link" action). */
  openMarkdown(path: string, text: string): MarkdownView {
    const leaf = new WorkspaceLeaf(this.app);
    const file = (this.app.vault.getAbstractFileByPath(path) as TFile | null) ?? new TFile(path);
    leaf.view = new MarkdownView(leaf, file, text);
    this.leaves.push(leaf);
    return leaf.view as MarkdownView;
  }

  getLeavesOfType(type: string): WorkspaceLeaf[] {
    return this.leaves.filter((leaf) => leaf.view.getViewType() === type);
  }

  private newLeaf(): WorkspaceLeaf {
    const leaf = new WorkspaceLeaf(this.app);
    this.leaves.push(leaf);
    return leaf;
  }

  getRightLeaf(_split: boolean): WorkspaceLeaf {
    return this.newLeaf();
  }

  getLeaf(newLeaf?: boolean | string): WorkspaceLeaf {
    const leaf = this.newLeaf();
    leaf.newLeaf = newLeaf ?? false;
    return leaf;
  }

  async revealLeaf(_leaf: WorkspaceLeaf): Promise<void> {}

  detachLeavesOfType(type: string): void {
    for (const leaf of this.getLeavesOfType(type)) leaf.detach();
  }

  async openLinkText(linktext: string, sourcePath: string, newLeaf?: boolean | string): Promise<void> {
    const record: OpenRecord = { linktext, sourcePath };
    if (newLeaf) record.newLeaf = newLeaf;
    this.opened.push(record);
  }

  getActiveViewOfType<T>(cls: new (...args: never[]) => T): T | null {
    const view = this.leaves.map((l) => l.view).find((v) => v instanceof cls);
    return (view as T | undefined) ?? null;
  }
}

/* ---------- App, Plugin ---------- */

export type CodeBlockHandler = (
  source: string,
  el: HTMLElement,
  ctx: MarkdownPostProcessorContext,
) => unknown;

export interface Command {
  id: string;
  name: string;
  callback?: () => unknown;
  checkCallback?: (checking: boolean) => boolean | void;
}

export class App {
  workspace: Workspace;
  vault: Vault;
  metadataCache: MetadataCache;
  plugins = { enabledPlugins: new Set<string>() };
  statusBarEl = div("status-bar");
  ribbonEl = div("side-dock-ribbon");
  commands = new Map<string, Command>();
  viewRegistry = new Map<string, (leaf: WorkspaceLeaf) => View>();
  codeBlockProcessors = new Map<string, CodeBlockHandler>();
  postProcessors: MarkdownPostProcessor[] = [];
  editorExtensions: unknown[] = [];
  hoverLinkSources = new Map<string, { display: string; defaultMod: boolean }>();
  settingTabs: PluginSettingTab[] = [];
  pluginData: unknown = null;

  constructor(paths: string[] = [], basePath = "/vault") {
    this.vault = new Vault(paths, basePath);
    this.metadataCache = new MetadataCache(this.vault);
    this.workspace = new Workspace(this);
    document.body.appendChild(this.statusBarEl);
  }
}

export interface PluginManifest {
  id: string;
  name: string;
  version: string;
}

export class Plugin extends Component {
  constructor(
    public app: App,
    public manifest: PluginManifest,
  ) {
    super();
  }

  async loadData(): Promise<unknown> {
    return this.app.pluginData;
  }

  async saveData(data: unknown): Promise<void> {
    this.app.pluginData = JSON.parse(JSON.stringify(data));
  }

  addCommand(command: Command): Command {
    const id = `${this.manifest.id}:${command.id}`;
    this.app.commands.set(id, command);
    this.register(() => this.app.commands.delete(id));
    return command;
  }

  addStatusBarItem(): HTMLElement {
    const el = div("status-bar-item");
    this.app.statusBarEl.appendChild(el);
    this.register(() => el.remove());
    return el;
  }

  addRibbonIcon(icon: string, title: string, callback: (evt: MouseEvent) => unknown): HTMLElement {
    const el = div("side-dock-ribbon-action");
    el.setAttribute("aria-label", title);
    el.dataset.icon = icon;
    el.addEventListener("click", callback as EventListener);
    this.app.ribbonEl.appendChild(el);
    this.register(() => el.remove());
    return el;
  }

  addSettingTab(tab: PluginSettingTab): void {
    this.app.settingTabs.push(tab);
    this.register(() => {
      this.app.settingTabs = this.app.settingTabs.filter((t) => t !== tab);
    });
  }

  registerView(type: string, factory: (leaf: WorkspaceLeaf) => View): void {
    this.app.viewRegistry.set(type, factory);
    this.register(() => {
      this.app.workspace.detachLeavesOfType(type);
      this.app.viewRegistry.delete(type);
    });
  }

  /** Like Obsidian: one processor per language; a second registration throws. */
  registerMarkdownCodeBlockProcessor(language: string, handler: CodeBlockHandler): MarkdownPostProcessor {
    if (this.app.codeBlockProcessors.has(language)) {
      throw new Error(`Attempting to register a code block processor for language ${language} which has already been registered`);
    }
    this.app.codeBlockProcessors.set(language, handler);
    const processor = Object.assign(() => undefined, { app: this.app, language, handler });
    this.register(() => MarkdownPreviewRenderer.unregisterPostProcessor(processor));
    return processor;
  }

  registerMarkdownPostProcessor(processor: MarkdownPostProcessor): MarkdownPostProcessor {
    this.app.postProcessors.push(processor);
    this.register(() => {
      this.app.postProcessors = this.app.postProcessors.filter((p) => p !== processor);
    });
    return processor;
  }

  registerEditorExtension(extension: unknown): void {
    this.app.editorExtensions.push(extension);
    this.register(() => {
      this.app.editorExtensions = this.app.editorExtensions.filter((e) => e !== extension);
    });
  }

  registerHoverLinkSource(id: string, info: { display: string; defaultMod: boolean }): void {
    this.app.hoverLinkSources.set(id, info);
    this.register(() => this.app.hoverLinkSources.delete(id));
  }
}

export type MarkdownPostProcessor = ((el: HTMLElement, ctx: MarkdownPostProcessorContext) => unknown) & {
  app?: App;
  language?: string;
  handler?: CodeBlockHandler;
};

/** Obsidian's static registry; unregistering frees a code block language (by identity). */
export const MarkdownPreviewRenderer = {
  unregisterPostProcessor(processor: MarkdownPostProcessor): void {
    const { app, language, handler } = processor;
    if (app && language && app.codeBlockProcessors.get(language) === handler) {
      app.codeBlockProcessors.delete(language);
    }
  },
};

/** Obsidian's Platform flags; tests may flip them. */
export const Platform = { isDesktopApp: true, isDesktop: true, isMobile: false, isWin: false, isMacOS: false };

/** The editor's state fields Obsidian exports (the note being edited, live preview or source). */
export const editorInfoField = StateField.define<{ file: TFile | null } | null>({
  create: () => null,
  update: (value) => value,
});
export const editorLivePreviewField = StateField.define<boolean>({
  create: () => true,
  update: (value) => value,
});

/* ---------- Markdown rendering ---------- */

export class MarkdownRenderChild extends Component {
  constructor(public containerEl: HTMLElement) {
    super();
  }
}

export interface MarkdownPostProcessorContext {
  sourcePath: string;
  docId: string;
  addChild(child: MarkdownRenderChild): void;
  getSectionInfo(el: HTMLElement): null;
}

/** Stands in for Obsidian's Markdown renderer: the text inside a <p>, verbatim (calls recorded). */
export const MarkdownRenderer = {
  calls: [] as { markdown: string; sourcePath: string }[],
  async render(
    _app: App,
    markdown: string,
    el: HTMLElement,
    sourcePath: string,
    _component: Component,
  ): Promise<void> {
    MarkdownRenderer.calls.push({ markdown, sourcePath });
    const p = document.createElement("p");
    p.textContent = markdown;
    el.appendChild(p);
  },
};

/** A rendered code block section, as Obsidian's reading view makes one for a note. */
export class RenderedSection extends Component {
  el = div("block-language");
  ctx: MarkdownPostProcessorContext;

  constructor(sourcePath: string) {
    super();
    this.ctx = {
      sourcePath,
      docId: "doc",
      addChild: (child) => void this.addChild(child),
      getSectionInfo: () => null,
    };
  }
}

export function renderCodeBlock(
  app: App,
  language: string,
  source: string,
  sourcePath: string,
): RenderedSection {
  const handler = app.codeBlockProcessors.get(language);
  if (!handler) throw new Error(`no processor for ${language}`);
  const section = new RenderedSection(sourcePath);
  document.body.appendChild(section.el);
  section.load();
  void handler(source, section.el, section.ctx);
  return section;
}

/** A rendered section of a note (reading view): the HTML, then every registered post processor. */
export function renderSection(app: App, html: string, sourcePath: string): RenderedSection {
  const section = new RenderedSection(sourcePath);
  section.el.className = "markdown-preview-section";
  section.el.innerHTML = html;
  document.body.appendChild(section.el);
  section.load();
  for (const processor of app.postProcessors) void processor(section.el, section.ctx);
  return section;
}

/* ---------- UI pieces ---------- */

export class Notice {
  static messages: string[] = [];
  constructor(public message: string, _timeout?: number) {
    Notice.messages.push(message);
  }
  hide(): void {}
}

export class Modal {
  containerEl = div("modal-container");
  modalEl = div("modal");
  titleEl = div("modal-title");
  contentEl = div("modal-content");
  constructor(public app: App) {
    this.containerEl.appendChild(this.modalEl);
    this.modalEl.append(this.titleEl, this.contentEl);
  }
  open(): void {
    document.body.appendChild(this.containerEl);
    this.onOpen();
  }
  close(): void {
    this.onClose();
    this.containerEl.remove();
  }
  onOpen(): void {}
  onClose(): void {}
}

/** Obsidian's SuggestModal: type to get suggestions, arrows move, Enter chooses and closes. */
export abstract class SuggestModal<T> extends Modal {
  inputEl: HTMLInputElement;
  resultContainerEl = div("prompt-results");
  emptyStateText = "No results found.";
  limit = 50;
  private items: T[] = [];
  private selected = 0;
  private ticket = 0;
  updated: Promise<void> = Promise.resolve();

  constructor(app: App) {
    super(app);
    this.modalEl.addClass("prompt");
    this.inputEl = document.createElement("input");
    this.inputEl.className = "prompt-input";
    this.modalEl.append(this.inputEl, this.resultContainerEl);
    this.inputEl.addEventListener("input", () => {
      this.updated = this.update();
    });
    this.inputEl.addEventListener("keydown", (evt) => this.onKey(evt));
  }

  setPlaceholder(text: string): void {
    this.inputEl.placeholder = text;
  }

  abstract getSuggestions(query: string): T[] | Promise<T[]>;
  abstract renderSuggestion(value: T, el: HTMLElement): void;
  abstract onChooseSuggestion(item: T, evt: MouseEvent | KeyboardEvent): void;

  private async update(): Promise<void> {
    const ticket = ++this.ticket;
    const items = await this.getSuggestions(this.inputEl.value);
    if (ticket !== this.ticket) return;
    this.items = items.slice(0, this.limit);
    this.selected = 0;
    this.resultContainerEl.empty();
    if (this.items.length === 0) {
      this.resultContainerEl.createDiv({ cls: "suggestion-empty", text: this.emptyStateText });
    }
    this.items.forEach((item, i) => {
      const el = this.resultContainerEl.createDiv({ cls: "suggestion-item" });
      if (i === 0) el.addClass("is-selected");
      this.renderSuggestion(item, el);
    });
  }

  private onKey(evt: KeyboardEvent): void {
    const rows = Array.from(this.resultContainerEl.querySelectorAll(".suggestion-item"));
    if (evt.key === "ArrowDown" || evt.key === "ArrowUp") {
      const step = evt.key === "ArrowDown" ? 1 : -1;
      this.selected = Math.max(0, Math.min(this.items.length - 1, this.selected + step));
      rows.forEach((row, i) => row.classList.toggle("is-selected", i === this.selected));
    } else if (evt.key === "Enter" && this.items.length > 0) {
      const item = this.items[this.selected] as T;
      this.close();
      this.onChooseSuggestion(item, evt);
    }
  }
}

export class PluginSettingTab {
  containerEl = div("vertical-tab-content");
  constructor(
    public app: App,
    public plugin: Plugin,
  ) {}
  display(): void {}
  hide(): void {}
}

class ValueComponent<V> {
  protected handler: ((value: V) => unknown) | null = null;
  disabled = false;
  onChange(fn: (value: V) => unknown): this {
    this.handler = fn;
    return this;
  }
  setDisabled(disabled: boolean): this {
    this.disabled = disabled;
    return this;
  }
}

export class TextComponent extends ValueComponent<string> {
  inputEl = document.createElement("input");
  constructor(parent: HTMLElement) {
    super();
    this.inputEl.type = "text";
    parent.appendChild(this.inputEl);
    this.inputEl.addEventListener("input", () => void this.handler?.(this.inputEl.value));
  }
  setValue(value: string): this {
    this.inputEl.value = value;
    return this;
  }
  setPlaceholder(text: string): this {
    this.inputEl.placeholder = text;
    return this;
  }
}

export class ToggleComponent extends ValueComponent<boolean> {
  toggleEl = document.createElement("input");
  constructor(parent: HTMLElement) {
    super();
    this.toggleEl.type = "checkbox";
    parent.appendChild(this.toggleEl);
    this.toggleEl.addEventListener("change", () => void this.handler?.(this.toggleEl.checked));
  }
  setValue(value: boolean): this {
    this.toggleEl.checked = value;
    return this;
  }
  override setDisabled(disabled: boolean): this {
    this.toggleEl.disabled = disabled;
    return super.setDisabled(disabled);
  }
}

export class DropdownComponent extends ValueComponent<string> {
  selectEl = document.createElement("select");
  constructor(parent: HTMLElement) {
    super();
    parent.appendChild(this.selectEl);
    this.selectEl.addEventListener("change", () => void this.handler?.(this.selectEl.value));
  }
  addOption(value: string, display: string): this {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = display;
    this.selectEl.appendChild(option);
    return this;
  }
  setValue(value: string): this {
    this.selectEl.value = value;
    return this;
  }
}

export class ButtonComponent {
  buttonEl = document.createElement("button");
  constructor(parent: HTMLElement) {
    parent.appendChild(this.buttonEl);
  }
  setButtonText(text: string): this {
    this.buttonEl.textContent = text;
    return this;
  }
  onClick(fn: () => unknown): this {
    this.buttonEl.addEventListener("click", () => void fn());
    return this;
  }
}

export class Setting {
  settingEl = div("setting-item");
  nameEl = div("setting-item-name");
  descEl = div("setting-item-description");
  controlEl = div("setting-item-control");
  constructor(containerEl: HTMLElement) {
    this.settingEl.append(this.nameEl, this.descEl, this.controlEl);
    containerEl.appendChild(this.settingEl);
  }
  setName(name: string): this {
    this.nameEl.textContent = name;
    return this;
  }
  setDesc(desc: string): this {
    this.descEl.textContent = desc;
    return this;
  }
  addText(fn: (text: TextComponent) => unknown): this {
    fn(new TextComponent(this.controlEl));
    return this;
  }
  addToggle(fn: (toggle: ToggleComponent) => unknown): this {
    fn(new ToggleComponent(this.controlEl));
    return this;
  }
  addDropdown(fn: (dropdown: DropdownComponent) => unknown): this {
    fn(new DropdownComponent(this.controlEl));
    return this;
  }
  addButton(fn: (button: ButtonComponent) => unknown): this {
    fn(new ButtonComponent(this.controlEl));
    return this;
  }
}

/** Like Obsidian's: Ctrl/Cmd (or a middle click) asks for a new tab, with Alt a split. */
export const Keymap = {
  isModEvent(evt?: MouseEvent | KeyboardEvent | null): "tab" | "split" | boolean {
    if (!evt) return false;
    const middle = "button" in evt && evt.button === 1;
    if (evt.ctrlKey || evt.metaKey) return evt.altKey ? "split" : "tab";
    return middle ? "tab" : false;
  },
};

export function setIcon(el: HTMLElement, icon: string): void {
  el.dataset.icon = icon;
}

/* ---------- requestUrl: the injected transport ---------- */

export interface RequestUrlParam {
  url: string;
  method?: string;
  contentType?: string;
  body?: string;
  headers?: Record<string, string>;
  throw?: boolean;
}

export interface RequestUrlResponse {
  status: number;
  text: string;
  json: unknown;
  headers: Record<string, string>;
}

export type RequestHandler = (
  param: RequestUrlParam,
) => Promise<{ status: number; text: string }> | { status: number; text: string };

export const http = {
  handler: null as RequestHandler | null,
  requests: [] as RequestUrlParam[],
};

export function setRequestHandler(handler: RequestHandler | null): void {
  http.handler = handler;
}

/** Like Obsidian's: rejects when the server cannot be reached; with `throw: false` it resolves
 * for every HTTP status, so the caller can read error bodies. */
export async function requestUrl(param: RequestUrlParam): Promise<RequestUrlResponse> {
  http.requests.push(param);
  if (!http.handler) throw new Error("net::ERR_CONNECTION_REFUSED");
  const { status, text } = await http.handler(param);
  if (param.throw !== false && status >= 400) throw new Error(`Request failed, status ${status}`);
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status, text, json, headers: {} };
}
