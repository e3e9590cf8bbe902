// actorgen observer: a tree fetched a page of children at a time, top lists polled, events streamed.
//
// The server renders the first page of the top level into the page itself, so that the tree
// paints as the HTML is parsed; this script, at the end of the body, only listens: clicks on the
// tree are handled by one listener on it (rows built here are the same as the server's), and the
// top lists and the event stream start once the tree is on the screen.
"use strict";
const page = Number(document.body.dataset.page) || 200; // children fetched at a time: the server's pageSize
const controls = document.body.dataset.controls === "true";
const tree = document.getElementById("tree");

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
}

async function getJSON(url) {
  const r = await fetch(url, { cache: "no-store" });
  if (!r.ok) throw new Error(url + ": " + r.status);
  return r.json();
}

// row builds an actor's row as the server's template does (static/index.html).
function row(a) {
  const toggle = a.children > 0
    ? el("button", { class: "toggle", "aria-expanded": "false", "aria-label": "expand " + a.path }, "▸")
    : el("button", { class: "toggle", disabled: "", "aria-label": a.path }, "·");
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
    r.append(el("button", { class: "ctl", "data-act": "stop" }, "stop"), el("button", { class: "ctl", "data-act": "reset" }, "reset"));
  }
  return el("div", { class: "node", role: "treeitem" }, r); // its children's div is made on expand
}

async function loadChildren(path, into, offset) {
  const c = await getJSON("api/children?path=" + encodeURIComponent(path) + "&offset=" + offset + "&limit=" + page);
  const rows = document.createDocumentFragment();
  for (const a of c.children) rows.append(row(a));
  if (c.total === 0 && offset === 0) rows.append(el("div", { class: "empty" }, "no actors"));
  const next = c.offset + c.children.length, left = c.total - next;
  if (left > 0) {
    rows.append(el("button", { class: "more", "data-path": path, "data-offset": String(next) }, "show " + Math.min(left, page) + " more of " + left));
  }
  into.append(rows);
  if (path === "/") document.getElementById("summary").dataset.total = c.total;
}

// One listener for the whole tree: expand and collapse, show more, and the controls.
tree.addEventListener("click", e => {
  const b = e.target.closest("button");
  if (!b || !tree.contains(b)) return;
  if (b.classList.contains("more")) {
    const into = b.parentElement;
    b.remove();
    loadChildren(b.dataset.path, into, Number(b.dataset.offset));
    return;
  }
  const r = b.closest(".row");
  if (!r) return;
  const path = r.dataset.path;
  if (b.classList.contains("ctl")) { act(b.dataset.act, path); return; }
  if (b.classList.contains("toggle") && !b.disabled) {
    const open = b.getAttribute("aria-expanded") !== "true";
    b.setAttribute("aria-expanded", String(open));
    b.textContent = open ? "▾" : "▸";
    let kids = r.nextElementSibling;
    if (!kids) r.after(kids = el("div", { class: "kids" }));
    kids.replaceChildren();
    if (open) loadChildren(path, kids, 0);
  }
});

// refreshRow updates the figures of the row of path, if it is on the page.
async function refreshRow(path) {
  const r = tree.querySelector('.row[data-path="' + CSS.escape(path) + '"]');
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
  const summary = document.getElementById("summary");
  try {
    const top = await getJSON("api/top");
    summary.textContent = summary.dataset.total + " top-level actors, " + top.actors + " in all";
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
  } catch (e) { summary.textContent = String(e); }
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

document.body.dataset.ready = "1";
// The rest once the tree is on the screen: the stream and the top lists do not hold it up.
requestAnimationFrame(() => setTimeout(() => {
  stream();
  refreshTop();
  setInterval(refreshTop, 2000);
}));
