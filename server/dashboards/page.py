"""The dashboard page served at ``/dashboard``: one self-contained HTML file, no build step, no
external assets.

The page itself holds no vault data, so it is served without the bearer token; its script fetches
``/api/v1/dashboards/{review,para,zettelkasten}`` with ``Authorization: Bearer …``. How the token
reaches the script without landing in a logged URL:

* the page asks for it (a password field) and keeps it in ``sessionStorage`` — per tab, gone when
  the tab closes;
* or it comes in the URL *fragment*, ``/dashboard#token=…`` (what ``vaultql dashboard --open``
  style links use). Browsers never send the fragment to the server, so it is in no access log,
  and the script removes it from the address bar and history at once (``history.replaceState``).

The server never embeds the token in the page. The query string (``?now=…&stale_days=…``) is
passed on to the API calls, so the page shows exactly what the JSON says for those parameters.
Everything from the vault is inserted with ``textContent``, never as HTML, and a strict Content
Security Policy (the inline script allowed by its hash, nothing external) backs that up.
"""

from __future__ import annotations

import base64
import hashlib

__all__ = ["PAGE_HEADERS", "page_html"]

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#f6f6f4}
header{background:#2d3b45;color:#fff;padding:.8em 1.5em;display:flex;gap:1em;align-items:center}
header h1{font-size:1.2em;margin:0;flex:1}
main{padding:1em 1.5em;max-width:1200px}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6em 1em;margin:0 0 1em}
h2{font-size:1.05em;margin:.3em 0 .6em}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.25em .5em;border-bottom:1px solid #eee;vertical-align:top}
th{font-weight:600;color:#555}
.kind{display:inline-block;min-width:8em;font-size:.8em;padding:0 .4em;border-radius:3px;
background:#e8eef3}
.flag{color:#a33;font-weight:600}
.muted{color:#777}
#login{display:none}
#error{color:#a33}
.cards{display:flex;gap:1em;flex-wrap:wrap}
.card{border:1px solid #ddd;border-radius:6px;padding:.4em .8em;background:#fafafa}
.card b{display:block;font-size:1.4em}
"""

_SCRIPT = r"""
"use strict";
const KEY = "vaultql-token";
const $ = (id) => document.getElementById(id);
function takeToken() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(KEY);
}
function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}
function row(cells, attrs) {
  const tr = document.createElement("tr");
  for (const [k, v] of Object.entries(attrs || {})) tr.setAttribute(k, v);
  for (const c of cells) {
    const td = document.createElement("td");
    if (c instanceof Node) td.appendChild(c); else td.textContent = c === null ? "" : String(c);
    tr.appendChild(td);
  }
  return tr;
}
function fill(id, rows) { const body = $(id); body.replaceChildren(...rows); }
function day(iso) { return iso ? iso.slice(0, 10) : ""; }
async function api(kind, token) {
  const r = await fetch("/api/v1/dashboards/" + kind + location.search,
    {headers: {"Authorization": "Bearer " + token}, cache: "no-store"});
  const body = await r.json();
  if (!r.ok) {
    const e = new Error(body.error ? body.error.message : r.status);
    e.status = r.status;
    throw e;
  }
  return body;
}
function showLogin(message) {
  $("login").style.display = "block";
  $("error").textContent = message || "";
}
function render(review, para, zk) {
  $("now").textContent = "as of " + review.now;
  fill("review-items", review.items.map((it) => row(
    [el("span", it.kind, "kind"), it.path, it.reason],
    {"data-kind": it.kind, "data-path": it.path})));
  $("review-empty").textContent = review.items.length ? "" : "Nothing to decide this week.";
  fill("projects", para.projects.map((p) => row([
    p.name, p.status, p.notes, p.tasks_open + " / " + p.tasks_total, p.overdue_count,
    p.next_action ? p.next_action.text : "", day(p.last_activity),
    el("span", [p.stale ? "stale" : "", p.done_not_archived ? "archive me" : ""]
      .filter(Boolean).join(", "), "flag")], {"data-project": p.id})));
  fill("areas", para.areas.map((a) => row([a.area, a.notes, day(a.last_activity),
    Math.round(a.untouched_share * 100) + "%",
    el("span", a.dumping_ground ? "dumping ground" : "", "flag")],
    {"data-area": a.area})));
  const res = para.resources;
  $("resources-summary").textContent = res.total + " notes, " + res.unreviewed + " unreviewed";
  fill("resource-folders",
    res.largest_folders.map((f) => row([f.folder, f.notes], {"data-folder": f.folder})));
  $("archives-summary").textContent = para.archives.total + " archived notes";
  fill("archive-years",
    Object.entries(para.archives.by_year).map(([y, n]) => row([y, n], {"data-year": y})));
  const cards = [["fleeting", zk.fleeting.length, "fleeting notes to process"],
    ["orphans", zk.orphans.length, "orphans"],
    ["no-outgoing", zk.no_outgoing.length, "without outgoing links"],
    ["too-long", zk.too_long ? zk.too_long.length : 0, "too long to be atomic"],
    ["clusters", zk.clusters_without_map.length, "clusters without a map"],
    ["literature", zk.literature_unlinked.length, "literature notes unused"]];
  fill("zk-cards", cards.map(([k, n, label]) => {
    const c = el("div", null, "card"); c.setAttribute("data-zk", k);
    c.appendChild(el("b", n)); c.appendChild(el("span", label)); return c; }));
  $("counts").textContent = Object.entries(para.counts).map(([b, n]) => b + " " + n).join(" · ");
  document.body.setAttribute("data-state", "ready");
}
async function load() {
  const token = takeToken();
  if (!token) { showLogin(); document.body.setAttribute("data-state", "login"); return; }
  try {
    const [review, para, zk] = await Promise.all(
      [api("review", token), api("para", token), api("zettelkasten", token)]);
    $("login").style.display = "none";
    render(review, para, zk);
  } catch (e) {
    if (e.status === 401) { sessionStorage.removeItem(KEY); showLogin("That token was refused."); }
    else { $("error").textContent = "Could not load the dashboards: " + e.message; }
    document.body.setAttribute("data-state", "error");
  }
}
document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(KEY, $("token").value.trim());
    $("token").value = "";
    load();
  });
  $("forget").addEventListener("click", () => {
    sessionStorage.removeItem(KEY);
    location.reload();
  });
  load();
});
"""

_BODY = """
<header><h1>VaultQL dashboard</h1><span id="now" class="muted"></span>
<button id="forget" type="button">Forget token</button></header>
<main>
<section id="login"><h2>Sign in</h2>
<form id="login-form"><label>API token (<code>vaultql token VAULT</code>)
<input id="token" type="password" autocomplete="off" required></label>
<button type="submit">Open</button></form></section>
<p id="error" role="alert"></p>
<section><h2>Weekly review</h2><p id="review-empty" class="muted"></p>
<table><thead><tr><th>Decision</th><th>Note</th><th>Why</th></tr></thead>
<tbody id="review-items"></tbody></table></section>
<section><h2>Projects</h2><p id="counts" class="muted"></p>
<table><thead><tr><th>Project</th><th>Status</th><th>Notes</th><th>Open / total tasks</th>
<th>Overdue</th><th>Next action</th><th>Last activity</th><th>Flags</th></tr></thead>
<tbody id="projects"></tbody></table></section>
<section><h2>Areas</h2><table><thead><tr><th>Area</th><th>Notes</th><th>Last activity</th>
<th>Untouched for a year</th><th></th></tr></thead><tbody id="areas"></tbody></table></section>
<section><h2>Resources</h2><p id="resources-summary"></p><table><thead><tr><th>Largest folders</th>
<th>Notes</th></tr></thead><tbody id="resource-folders"></tbody></table></section>
<section><h2>Archives</h2><p id="archives-summary"></p><table><thead><tr><th>Year</th>
<th>Notes</th></tr></thead><tbody id="archive-years"></tbody></table></section>
<section><h2>Zettelkasten health</h2><div id="zk-cards" class="cards"></div></section>
</main>
"""


def _script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


PAGE_HEADERS: dict[str, str] = {
    # The page is static but must not be cached by anything shared; it never holds a token.
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; "
        f"script-src '{_script_hash(_SCRIPT)}'; "
        "style-src 'unsafe-inline'; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
}

_PAGE = (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>VaultQL dashboard</title>"
    f'<style>{_STYLE}</style></head>\n<body data-state="loading">{_BODY}'
    f"<script>{_SCRIPT}</script></body></html>\n"
)


def page_html() -> str:
    return _PAGE
