// regcat site script: progressive enhancement only. Every page works
// without it; with it, the index gets a filter box, tables with
// [data-sortable] get sortable columns, [data-copy] buttons copy their
// value or the <code> beside them, and a link into a closed <details>
// opens it.
(function () {
  "use strict";

  // Filter: hide repository rows that do not contain every word typed.
  function setupFilter() {
    var box = document.querySelector("[data-filter]");
    if (!box) return;
    var input = box.querySelector("input");
    var count = box.querySelector("[data-filter-count]");
    var empty = document.querySelector("[data-filter-empty]");
    var groups = Array.prototype.slice.call(document.querySelectorAll("[data-filter-group]"));
    var rows = [];
    groups.forEach(function (g) {
      g.querySelectorAll("tbody tr").forEach(function (tr) {
        rows.push({ tr: tr, group: g, text: tr.textContent.toLowerCase() });
      });
    });
    box.hidden = false;
    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      var perGroup = new Map();
      rows.forEach(function (r) {
        var ok = words.every(function (w) { return r.text.indexOf(w) >= 0; });
        r.tr.hidden = !ok;
        if (ok) {
          shown++;
          perGroup.set(r.group, true);
        }
      });
      groups.forEach(function (g) { g.hidden = !perGroup.has(g); });
      if (empty) empty.hidden = shown > 0;
      count.textContent = words.length ? shown + " of " + rows.length : "";
    }
    input.addEventListener("input", apply);
    if (input.value) apply();
  }

  // Sort: header cells with data-sort ("text" or "num") become buttons;
  // cells sort by their data-key attribute, else their text.
  function key(cell, type) {
    var v = cell.hasAttribute("data-key") ? cell.getAttribute("data-key") : cell.textContent.trim();
    if (type === "num") {
      var n = parseFloat(v);
      return isNaN(n) ? -Infinity : n;
    }
    return v.toLowerCase();
  }
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  function setupSort(table) {
    var heads = table.querySelectorAll("thead th[data-sort]");
    heads.forEach(function (th) {
      var col = th.cellIndex;
      var type = th.getAttribute("data-sort");
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "sort";
      while (th.firstChild) btn.appendChild(th.firstChild);
      th.appendChild(btn);
      btn.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        table.querySelectorAll("thead th[aria-sort]").forEach(function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var sign = dir === "ascending" ? 1 : -1;
        rows.forEach(function (r, i) { r._k = key(r.cells[col], type); r._i = i; });
        rows.sort(function (a, b) {
          var c = type === "num" ? (a._k < b._k ? -1 : a._k > b._k ? 1 : 0) : collator.compare(a._k, b._k);
          return c * sign || a._i - b._i;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  // Copy: buttons with data-copy put their text on the clipboard.
  function fallbackCopy(text) {
    var ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.className = "skip";
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }
  // copyText is what a copy button copies: its data-copy value, or when
  // that is empty the text of the <code> beside it.
  function copyText(btn) {
    var text = btn.getAttribute("data-copy");
    if (text) return text;
    var code = btn.parentNode.querySelector("code");
    return code ? code.textContent : "";
  }
  function setupCopy(btn) {
    var label = btn.textContent;
    btn.hidden = false;
    btn.addEventListener("click", function () {
      copy(copyText(btn)).then(function () {
        btn.textContent = "Copied";
        btn.setAttribute("data-state", "done");
      }, function () {
        btn.textContent = "Press Ctrl+C";
      });
      setTimeout(function () {
        btn.textContent = label;
        btn.removeAttribute("data-state");
      }, 1500);
    });
  }

  // Open the <details> that holds the element a link's #fragment names
  // (a platform section from the attestations table), so that following
  // the link shows it.
  function openTarget() {
    var id;
    try {
      id = decodeURIComponent(location.hash.slice(1));
    } catch (e) {
      return; // a malformed %-escape names no element
    }
    var el = id && document.getElementById(id);
    for (; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
  }

  function init() {
    openTarget();
    window.addEventListener("hashchange", openTarget);
    setupFilter();
    document.querySelectorAll("table[data-sortable]").forEach(setupSort);
    document.querySelectorAll("button[data-copy]").forEach(setupCopy);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
