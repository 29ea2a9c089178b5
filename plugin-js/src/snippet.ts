/** A snippet with `[start, end)` highlight ranges (code-point offsets) -> text and <mark>s. */
export function renderSnippet(
  parent: HTMLElement,
  snippet: string,
  highlights: [number, number][],
): HTMLElement {
  const el = parent.createDiv({ cls: "vaultql-snippet" });
  const chars = Array.from(snippet); // the server counts code points, JS strings count UTF-16
  let at = 0;
  for (const [start, end] of [...highlights].sort((a, b) => a[0] - b[0])) {
    if (start < at || end <= start) continue;
    if (start > at) el.appendText(chars.slice(at, start).join(""));
    el.createEl("mark", { text: chars.slice(start, end).join("") });
    at = end;
  }
  if (at < chars.length) el.appendText(chars.slice(at).join(""));
  return el;
}
