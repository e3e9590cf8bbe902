// actorgen observer: a tree fetched a page of children at a time, top lists polled, events streamed.
"use strict";
const page = 200; // as the server's firstPage
let controls = false;

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
}

async function getJSON(url) {
  const r = await fetch(url, { cache: "no-store" });
  if (!r.ok) throw new Error(url + ": " + r.status);
  return r.json();
}

function row(a) {
  const kids = el("div", { class: "kids" });
  const toggle = el("button", { class: "toggle", "aria-label": "expand " + a.path }, a.children > 0 ? "▸" : "·");
  if (a.children === 0) toggle.disabled = true;
  let open = false;
  toggle.addEventListener("click", async () => {
    open = !open;
    toggle.textContent = open ? "▾" : "▸";
    kids.replaceChildren();
    if (open) await loadChildren(a.path, kids, 0);
  });
  const r = el("div", { class: "row", "data-path": a.path },
    toggle,
    el("span", { class: "name" }, a.name),
    a.interface ? el("span", { class: "iface" }, a.interface) : "",
    el("span", { class: "state state-" + a.state }, a.state),
    el("span", { class: "num mb", title: "mailbox" }, "✉ " + a.mailbox),
    el("span", { class: "num hd", title: "handled" }, "✓ " + a.handled),
    el("span", { class: a.faults ? "num ft bad" : "num ft", title: a.lastFault ? a.lastFault.err : "faults" }, "⚠ " + a.faults),
    a.children ? el("span", { class: "num", title: "children" }, a.children + " children") : "",
    el("span", { class: "num", title: "policy" }, a.policy));
  if (controls) {
    r.append(el("button", { class: "ctl", onclick: () => act("stop", a.path) }, "stop"),
      el("button", { class: "ctl", onclick: () => act("reset", a.path) }, "reset"));
  }
  return el("div", { class: "node", role: "treeitem" }, r, kids);
}

async function loadChildren(path, into, offset, given) {
  const c = given || await getJSON("api/children?path=" + encodeURIComponent(path) + "&offset=" + offset + "&limit=" + page);
  for (const a of c.children) into.append(row(a));
  if (c.total === 0 && offset === 0) into.append(el("div", { class: "empty" }, "no actors"));
  const left = c.total - (c.offset + c.children.length);
  if (left > 0) {
    const more = el("button", { class: "more" }, "show " + Math.min(left, page) + " more of " + left);
    more.addEventListener("click", () => { more.remove(); loadChildren(path, into, c.offset + c.children.length); });
    into.append(more);
  }
  return c;
}

// refreshRow updates the figures of the row of path, if it is on the page.
async function refreshRow(path) {
  const r = document.querySelector('#tree .row[data-path="' + CSS.escape(path) + '"]');
  if (!r) return;
  let a;
  try { a = await getJSON("api/actor?path=" + encodeURIComponent(path)); } catch (e) { r.classList.add("gone"); return; }
  const st = r.querySelector(".state");
  st.textContent = a.state; st.className = "state state-" + a.state;
  r.querySelector(".mb").textContent = "✉ " + a.mailbox;
  r.querySelector(".hd").textContent = "✓ " + a.handled;
  const ft = r.querySelector(".ft");
  ft.textContent = "⚠ " + a.faults; ft.className = a.faults ? "num ft bad" : "num ft";
  if (a.lastFault) ft.title = a.lastFault.err;
}

async function act(what, path) {
  if (!confirm(what + " " + path + "?")) return;
  await fetch("api/" + what + "?path=" + encodeURIComponent(path), { method: "POST", headers: { "X-Actorgen-Control": "1" } });
  refreshTop();
}

function fillTop(id, actors, figure) {
  const t = document.getElementById(id);
  t.replaceChildren();
  if (actors.length === 0) { t.append(el("tr", {}, el("td", { class: "empty" }, "none"))); return; }
  for (const a of actors) t.append(el("tr", {}, el("td", {}, a.path), el("td", {}, a.interface || ""), el("td", { class: "n" }, figure(a))));
}

async function refreshTop() {
  try {
    const top = await getJSON("api/top");
    document.getElementById("summary").textContent = topLevel + " top-level actors, " + top.actors + " in all";
    fillTop("top-mailbox", top.mailbox, a => a.mailbox);
    fillTop("top-faults", top.faults, a => a.faults);
    fillTop("top-handle", top.handle, a => a.handleMeanUs.toFixed(1) + " µs");
    const types = await getJSON("api/stats");
    const t = document.getElementById("types");
    t.replaceChildren(el("tr", {}, el("th", {}, "interface"), el("th", {}, "live"), el("th", {}, "faults"), el("th", {}, "resets"), el("th", {}, "stops"), el("th", {}, "cuts"), el("th", {}, "retries")));
    for (const s of types || []) {
      t.append(el("tr", {}, el("td", {}, s.interface), el("td", { class: "n" }, s.live), el("td", { class: "n" }, s.faults), el("td", { class: "n" }, s.resets), el("td", { class: "n" }, s.stops), el("td", { class: "n" }, s.tetherCuts), el("td", { class: "n" }, s.keeperRetries)));
      for (const m of s.methods || []) {
        t.append(el("tr", {}, el("td", {}, "  ." + m.method + " (" + m.kind + ")"), el("td", { class: "n", colspan: "3" }, m.ok + " ok, " + m.faults + " faults"), el("td", { class: "n", colspan: "3" }, "p99 " + m.handleP99Us.toFixed(1) + " µs")));
      }
    }
  } catch (e) { document.getElementById("summary").textContent = String(e); }
}

function stream() {
  const s = document.getElementById("stream");
  const es = new EventSource("events");
  es.onopen = () => { s.textContent = "events: live"; s.className = "on"; document.body.dataset.stream = "open"; };
  es.onerror = () => { s.textContent = "events: reconnecting"; s.className = "off"; };
  es.addEventListener("actor", m => {
    const e = JSON.parse(m.data);
    const list = document.getElementById("events");
    const what = e.kind + (e.decision ? " " + e.decision : "") + (e.delay ? " after " + e.delay : "");
    list.prepend(el("li", { class: "event" }, new Date(e.time).toLocaleTimeString() + " ",
      el("span", { class: "kind k-" + e.kind.replace(" ", "-") }, what), " " + e.path + (e.child ? " (" + e.child + ")" : "") + (e.err ? ": " + e.err : "")));
    while (list.children.length > 200) list.lastChild.remove();
    refreshRow(e.path);
    if (e.dropped) s.textContent = "events: live, " + e.dropped + " dropped";
  });
}

let topLevel = 0;

async function main() {
  // The page comes with its settings and the first page of the tree: no request before the
  // first paint. Without them (the file opened some other way), ask.
  let boot = null;
  try { boot = JSON.parse(document.body.dataset.boot); } catch (e) { boot = await getJSON("api/config"); }
  controls = !!boot.controls;
  const tree = document.getElementById("tree");
  const c = await loadChildren("/", tree, 0, boot.tree);
  topLevel = c.total;
  document.getElementById("summary").textContent = c.total + " top-level actors";
  window.treeRenderedMs = performance.now();
  document.body.dataset.ready = "1";
  stream();
  refreshTop();
  setInterval(refreshTop, 2000);
}
main();
