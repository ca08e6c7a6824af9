// kiln site: the search box, the filter box over long tables, the version switcher that keeps your
// row, the navigation menu on narrow screens and the on-page table of contents' highlight. Plain
// script, no modules and no fetch, so it works from file:// as well.
(function () {
  "use strict";
  var body = document.body;
  var root = body.getAttribute("data-root") || "";

  // ---- The navigation menu (narrow screens) ----
  var toggle = document.getElementById("menu-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var open = body.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // ---- Search ----
  var input = document.getElementById("site-search");
  var list = document.getElementById("search-results");
  var waiting = null;
  function load(then) {
    if (window.KILN_SEARCH) return then();
    if (waiting) { waiting.push(then); return; }
    waiting = [then];
    var s = document.createElement("script");
    s.src = root + "search-index.js";
    s.onload = function () { var w = waiting; waiting = null; w.forEach(function (f) { f(); }); };
    s.onerror = function () { waiting = null; list.hidden = false; list.textContent = "The search index did not load."; };
    document.head.appendChild(s);
  }
  function score(e, q) {
    var t = e.t.toLowerCase();
    var short = t.replace(/^[pk]\d+\.(msg\.)?/, "");
    if (t === q || short === q) return 0;
    if (e.n !== null && e.n === q) return 1;
    if (short.indexOf(q) === 0 || t.indexOf(q) === 0) return 2;
    if (t.indexOf(q) >= 0) return 3;
    if ((e.s && e.s.toLowerCase().indexOf(q) >= 0) || e.h.toLowerCase().indexOf(q) >= 0) return 4;
    return -1;
  }
  function kindOrder(k) { return k === "call page" || k === "slot page" ? 0 : k === "call" || k === "slot" || k === "message" ? 1 : k === "row" ? 2 : 3; }
  function show() {
    var q = input.value.trim().toLowerCase();
    list.textContent = "";
    if (!q) { list.hidden = true; return; }
    var hits = [];
    var all = window.KILN_SEARCH || [];
    for (var i = 0; i < all.length; i++) {
      var sc = score(all[i], q);
      if (sc >= 0) hits.push({ e: all[i], sc: sc, i: i });
    }
    hits.sort(function (a, b) { return a.sc - b.sc || kindOrder(a.e.k) - kindOrder(b.e.k) || a.i - b.i; });
    hits = hits.slice(0, 25);
    if (!hits.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = "No match for " + input.value.trim();
      list.appendChild(none);
    }
    hits.forEach(function (hit) {
      var e = hit.e;
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + e.u;
      var title = document.createElement("code");
      title.textContent = e.t;
      a.appendChild(title);
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = " " + e.k + (e.n !== null ? " " + e.n : "");
      a.appendChild(kind);
      var more = document.createElement("span");
      more.className = "where";
      more.textContent = (e.s ? e.s + " — " : "") + e.h;
      a.appendChild(more);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = false;
  }
  if (input && list) {
    input.addEventListener("focus", function () { load(function () {}); });
    input.addEventListener("input", function () { load(show); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { input.value = ""; show(); }
      if (ev.key === "Enter") {
        ev.preventDefault();
        load(function () {
          show();
          var first = list.querySelector("a");
          if (first) window.location.href = first.href;
        });
      }
    });
    var q = /[?&]q=([^&#]*)/.exec(window.location.search);
    if (q) { input.value = decodeURIComponent(q[1].replace(/\+/g, " ")); load(show); }
  }

  // ---- A filter box over each long table ----
  var tables = document.querySelectorAll("main table.kiln-table, main table.calls");
  Array.prototype.forEach.call(tables, function (table, n) {
    var rows = table.tBodies[0] ? table.tBodies[0].rows : [];
    if (rows.length < 12) return;
    var wrap = table.parentNode.classList && table.parentNode.classList.contains("table-wrap") ? table.parentNode : table;
    var box = document.createElement("input");
    box.type = "search";
    box.className = "table-filter";
    box.id = "table-filter-" + n;
    box.placeholder = "Filter these " + rows.length + " rows…";
    box.setAttribute("aria-label", "Filter the rows of the table below");
    box.addEventListener("input", function () {
      var q = box.value.trim().toLowerCase();
      Array.prototype.forEach.call(rows, function (r) {
        r.hidden = q !== "" && r.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
    wrap.parentNode.insertBefore(box, wrap);
  });

  // ---- The version switcher keeps your row ----
  function retarget() {
    var hash = window.location.hash.slice(1);
    var m = /^([pk]\d+)\.(.+)$/.exec(decodeURIComponent(hash));
    Array.prototype.forEach.call(document.querySelectorAll("a.version-link[data-version]"), function (a) {
      var base = a.getAttribute("href").split("#")[0];
      a.setAttribute("href", m ? base + "#" + a.getAttribute("data-version") + "." + m[2] : base);
    });
  }
  window.addEventListener("hashchange", retarget);
  retarget();
})();
