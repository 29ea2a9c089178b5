/**
 * Whether a rendered block is on screen, so a new revision refreshes only what is shown and
 * hidden blocks (other tabs, scrolled away, collapsed) catch up when they are shown again.
 * One IntersectionObserver per window (popout windows have their own); where there is none, an
 * element counts as shown while it is in the document, so nothing is ever left stale.
 */

export type VisibilityListener = (visible: boolean) => void;

/** Elements a little outside the viewport count as shown: they are about to be. */
const MARGIN = "200px 0px";

export class VisibilityTracker {
  private readonly observers = new Map<Window, IntersectionObserver>();
  private readonly listeners = new Map<Element, VisibilityListener>();
  private readonly visible = new WeakMap<Element, boolean>();

  /** Calls `listener` whenever `el` is shown or hidden; returns the function that stops it. */
  observe(el: HTMLElement, listener: VisibilityListener): () => void {
    this.listeners.set(el, listener);
    const observer = this.observerFor(el);
    if (observer) observer.observe(el);
    return () => {
      this.listeners.delete(el);
      this.visible.delete(el);
      observer?.unobserve(el);
    };
  }

  /** Whether shown and hidden are reported for `el` (an IntersectionObserver exists there). */
  supported(el: HTMLElement): boolean {
    return this.observerFor(el) !== null;
  }

  /** Shown now, as far as the tracker knows. */
  isVisible(el: HTMLElement): boolean {
    if (!this.observerFor(el)) return el.isConnected;
    return this.visible.get(el) === true;
  }

  disconnect(): void {
    for (const observer of this.observers.values()) observer.disconnect();
    this.observers.clear();
    this.listeners.clear();
  }

  private observerFor(el: HTMLElement): IntersectionObserver | null {
    const win = el.ownerDocument?.defaultView ?? window;
    const existing = this.observers.get(win);
    if (existing) return existing;
    const Observer = (win as unknown as { IntersectionObserver?: typeof IntersectionObserver }).IntersectionObserver;
    if (typeof Observer !== "function") return null;
    const observer = new Observer(
      (entries) => {
        for (const entry of entries) {
          const shown = entry.isIntersecting;
          if (this.visible.get(entry.target) === shown) continue;
          this.visible.set(entry.target, shown);
          this.listeners.get(entry.target)?.(shown);
        }
      },
      { rootMargin: MARGIN },
    );
    this.observers.set(win, observer);
    return observer;
  }
}
