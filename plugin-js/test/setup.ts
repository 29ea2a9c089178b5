/** Per-test reset of the mock's shared state. */
import { afterEach, beforeEach } from "vitest";
import { goldenServer, obsidian } from "./load";

const live: { unload(): void }[] = [];

export function track<T extends { unload(): void }>(component: T): T {
  live.push(component);
  return component;
}

beforeEach(() => {
  document.body.innerHTML = "";
  obsidian.http.requests.length = 0;
  obsidian.Notice.messages.length = 0;
  obsidian.setRequestHandler(goldenServer());
});

afterEach(() => {
  for (const component of live.splice(0)) component.unload();
});
