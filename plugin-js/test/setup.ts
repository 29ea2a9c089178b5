/** Per-test reset of the mock's shared state, and a controllable IntersectionObserver. */
import { afterEach, beforeEach } from "vitest";
import { goldenServer, obsidian, processes } from "./load";

const live: { unload(): void }[] = [];

export function track<T extends { unload(): void }>(component: T): T {
  live.push(component);
  return component;
}

/**
 * happy-dom's IntersectionObserver never reports. This one reports an element as shown while it
 * is in the document and not inside a `[hidden]` element; `intersections.update()` re-checks.
 */
class FakeIntersectionObserver {
  static all = new Set<FakeIntersectionObserver>();
  private targets = new Map<Element, boolean | null>();
  constructor(private readonly callback: IntersectionObserverCallback) {
    FakeIntersectionObserver.all.add(this);
  }
  observe(target: Element): void {
    this.targets.set(target, null);
    setTimeout(() => this.check(), 0); // the first report is asynchronous, as in browsers
  }
  unobserve(target: Element): void {
    this.targets.delete(target);
  }
  disconnect(): void {
    this.targets.clear();
    FakeIntersectionObserver.all.delete(this);
  }
  takeRecords(): IntersectionObserverEntry[] {
    return [];
  }
  check(): void {
    const changed: IntersectionObserverEntry[] = [];
    for (const [target, was] of this.targets) {
      const shown = target.isConnected && target.closest("[hidden]") === null;
      if (shown === was) continue;
      this.targets.set(target, shown);
      changed.push({ target, isIntersecting: shown } as IntersectionObserverEntry);
    }
    if (changed.length > 0) this.callback(changed, this as unknown as IntersectionObserver);
  }
}

export const intersections = {
  update(): void {
    for (const observer of FakeIntersectionObserver.all) observer.check();
  },
  install(): void {
    (window as unknown as Record<string, unknown>).IntersectionObserver = FakeIntersectionObserver;
  },
  remove(): void {
    delete (window as unknown as Record<string, unknown>).IntersectionObserver;
  },
};

beforeEach(() => {
  document.body.innerHTML = "";
  obsidian.http.requests.length = 0;
  obsidian.Notice.messages.length = 0;
  obsidian.MarkdownRenderer.calls.length = 0;
  obsidian.Platform.isDesktopApp = true;
  obsidian.setRequestHandler(goldenServer());
  processes.reset();
  intersections.install();
});

afterEach(() => {
  for (const component of live.splice(0)) component.unload();
  FakeIntersectionObserver.all.clear();
});
