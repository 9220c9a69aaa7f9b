// regcat site script: progressive enhancement only. Every page works
// without it; with it, the header gets a search box (its index,
// search-index.js, is loaded on first focus), the index gets a filter box, tables with
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

  // Search: the header's box, over search-index.js (docs/search.md),
  // which is added as a script on first focus: a page from file:// may
  // load a script but not fetch a file.
  var maxResults = 20;
  function decodeDigest(d) {
    if (d.indexOf(":") >= 0) return d;
    var bin = atob(d), hex = "";
    for (var i = 0; i < bin.length; i++) hex += (bin.charCodeAt(i) + 256).toString(16).slice(1);
    return "sha256:" + hex;
  }
  // buildIndex turns the compact index into repositories, images and
  // label values with lower-cased text to match and links from root.
  function buildIndex(x, root) {
    function text(v) { return typeof v === "number" ? x.s[v] : v; }
    var repos = [], images = [], values = [];
    for (var r = 0, n = 0; r < x.r.length; r += 4) {
      var name = x.r[r], dir = root + "r/" + name.split("/").join("~") + "/";
      var repo = { name: name, lname: name, last: name.slice(name.lastIndexOf("/") + 1),
        title: text(x.r[r + 1]), desc: text(x.r[r + 2]), href: dir + "index.html" };
      repo.ltitle = repo.title.toLowerCase();
      repo.ldesc = repo.desc.toLowerCase();
      repos.push(repo);
      for (var j = 0; j < x.r[r + 3]; j++, n++) {
        var digest = decodeDigest(x.i[2 * n]), tags = x.i[2 * n + 1];
        images.push({ repo: repo, digest: digest, hex: digest.slice(digest.indexOf(":") + 1),
          tags: tags ? tags.split(" ") : [], href: dir + digest.replace(":", "-") + ".html" });
      }
    }
    x.l.forEach(function (row) {
      var key = row[0], lkey = key.toLowerCase();
      for (var k = 1; k < row.length; k += 2) {
        var ids = row[k + 1], list = [];
        if (typeof ids === "number") {
          list.push(images[ids]);
        } else {
          for (var m = 0, id = 0; m < ids.length; m++) { id += ids[m]; list.push(images[id]); }
        }
        var v = text(row[k]), lv = v.toLowerCase();
        // A value the index cut ends in "…": a longer query matches it
        // when it starts with what was kept.
        var cut = lv.slice(-1) === "\u2026" ? lv.slice(0, -1) : "";
        values.push({ key: key, lkey: lkey, value: v, lvalue: lv, cut: cut, images: list });
      }
    });
    return { repos: repos, images: images, values: values };
  }
  // tier ranks how s holds q: 0 equal, 1 starts with it, 2 contains it,
  // -1 not at all.
  function tier(s, q) {
    if (s === q) return 0;
    var i = s.indexOf(q);
    return i < 0 ? -1 : i === 0 ? 1 : 2;
  }
  // keyMatches: "vendor" names org.opencontainers.image.vendor, as does
  // the whole key.
  function keyMatches(lkey, k) {
    return lkey === k || (lkey.length > k.length && lkey.slice(-k.length - 1) === "." + k);
  }
  function imageText(im) {
    return im.repo.name + (im.tags.length ? ":" + im.tags[0] : "@" + im.hex.slice(0, 12));
  }
  // search returns the results for q, best first: by tier (equal, then
  // prefix, then substring), then repositories named, then images by tag
  // or digest, then matches of titles, descriptions and labels, then
  // text. One result per page, its best match kept.
  function search(ix, query) {
    var q = query.trim().toLowerCase();
    var best = new Map();
    function add(t, kind, text, sub, href) {
      if (t < 0) return;
      var score = t * 3 + kind, old = best.get(href);
      if (!old || score < old.score) best.set(href, { score: score, text: text, sub: sub, href: href });
    }
    if (!q) return [];
    var colon = q.lastIndexOf(":"), repoPart = colon > 0 ? q.slice(0, colon) : "", tagPart = q.slice(colon + 1);
    var hex = /^(sha256:)?[0-9a-f]{4,}$/.test(q) ? q.replace(/^sha256:/, "") : "";
    ix.repos.forEach(function (r) {
      // The last path segment counts as the name: "alpine" is
      // library/alpine's exact name.
      var tn = tier(r.lname, q), tl = tier(r.last, q);
      add(tn === 0 || tl === 0 ? 0 : tn === 1 || tl === 1 ? 1 : tn, 0, r.name, r.title, r.href);
      if (q.length < 2) return;
      var tt = tier(r.ltitle, q), td = tier(r.ldesc, q) < 0 ? -1 : 2;
      add(tt < 0 ? td : td < 0 ? tt : Math.min(tt, td), 2, r.name, r.title, r.href);
    });
    ix.images.forEach(function (im) {
      im.tags.forEach(function (tag) {
        var t = tag.toLowerCase();
        if (repoPart) {
          if (repoPart === im.repo.lname || repoPart === im.repo.last) add(tier(t, tagPart) === 0 ? 0 : tier(t, tagPart) === 1 ? 1 : -1, 1, im.repo.name + ":" + tag, "", im.href);
        } else if (t === q) {
          add(0, 1, im.repo.name + ":" + tag, "", im.href);
        }
      });
      if (hex && im.hex.indexOf(hex) === 0) add(hex.length === im.hex.length ? 0 : 1, 1, imageText(im), im.digest.slice(0, 19), im.href);
    });
    var eq = q.indexOf("="), k = eq > 0 ? q.slice(0, eq) : "", v = eq > 0 ? q.slice(eq + 1) : q;
    ix.values.forEach(function (lv) {
      if (k && !keyMatches(lv.lkey, k)) return;
      var t = !v ? 1 : lv.cut && v.length > lv.cut.length && v.indexOf(lv.cut) === 0 ? 1 : tier(lv.lvalue, v);
      if (t === 2 && v.length < 2) return;
      lv.images.forEach(function (im) { add(t, 2, imageText(im), lv.key + "=" + lv.value, im.href); });
    });
    var out = Array.from(best.values());
    out.sort(function (a, b) { return a.score - b.score || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0) || (a.href < b.href ? -1 : 1); });
    return out;
  }
  // searchBox fills the header's empty [data-search] box with its
  // label, input, result list and status line: they are of use only
  // with this script, so pages do not carry them.
  function searchBox(box) {
    function el(tag, attrs) {
      var e = document.createElement(tag);
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      box.appendChild(e);
      return e;
    }
    el("label", { "for": "site-search", "class": "skip" }).textContent = "Search the catalog";
    el("input", { id: "site-search", type: "search", placeholder: "Search (press /)", autocomplete: "off", spellcheck: "false",
      role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": "search-results" });
    el("ul", { id: "search-results", "class": "search-results", role: "listbox", "aria-label": "Search results", hidden: "" });
    el("p", { "class": "search-status", "data-search-status": "", "aria-live": "polite" });
  }
  function setupSearch() {
    var box = document.querySelector("[data-search]");
    if (!box) return;
    searchBox(box);
    var input = box.querySelector("input");
    var list = box.querySelector("[role=listbox]");
    var status = box.querySelector("[data-search-status]");
    var root = box.getAttribute("data-root") || "";
    var index = null, requested = false, shown = [], active = -1;
    box.hidden = false;
    // load requests the index on first focus; later, focus shows the
    // results of what the box holds again.
    function load() {
      if (requested) {
        update();
        return;
      }
      requested = true;
      status.textContent = "Loading the search index…";
      var s = document.createElement("script");
      s.src = root + "search-index.js";
      s.onload = function () {
        index = buildIndex(window.regcatSearch, root);
        status.textContent = "";
        update();
      };
      s.onerror = function () { status.textContent = "The search index could not be loaded."; };
      document.head.appendChild(s);
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function setActive(i) {
      var items = list.children;
      if (active >= 0 && items[active]) items[active].setAttribute("aria-selected", "false");
      active = i;
      if (i >= 0 && items[i]) {
        items[i].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function update() {
      if (!index) return;
      var all = search(index, input.value);
      shown = all.slice(0, maxResults);
      list.textContent = "";
      shown.forEach(function (res, i) {
        var li = document.createElement("li");
        li.id = "search-result-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var a = document.createElement("a");
        a.href = res.href;
        a.tabIndex = -1;
        var main = document.createElement("span");
        main.className = "search-main";
        main.textContent = res.text;
        a.appendChild(main);
        if (res.sub) {
          var sub = document.createElement("span");
          sub.className = "search-sub";
          sub.textContent = res.sub;
          a.appendChild(sub);
        }
        li.appendChild(a);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        list.appendChild(li);
      });
      active = -1;
      var q = input.value.trim();
      list.hidden = !q || shown.length === 0;
      input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
      status.textContent = !q ? "" : all.length === 0 ? "No results" :
        all.length > shown.length ? shown.length + " of " + all.length + " results" : all.length + (all.length === 1 ? " result" : " results");
      if (shown.length) setActive(0);
    }
    input.addEventListener("focus", load);
    input.addEventListener("input", update);
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!shown.length) return;
        e.preventDefault();
        if (list.hidden) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        var n = shown.length, d = e.key === "ArrowDown" ? 1 : -1;
        setActive(active < 0 ? (d > 0 ? 0 : n - 1) : (active + d + n) % n);
      } else if (e.key === "Enter") {
        if (!list.hidden && active >= 0 && shown[active]) {
          e.preventDefault();
          location.href = list.children[active].firstChild.href;
        }
      } else if (e.key === "Escape") {
        if (!list.hidden) {
          e.preventDefault();
          close();
        } else if (input.value) {
          input.value = "";
          update();
        } else {
          input.blur();
        }
      }
    });
    input.addEventListener("blur", close);
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      var t = e.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      e.preventDefault();
      input.focus();
    });
  }

  // Sort: header cells with data-sort ("text" or "num") become buttons;
  // cells sort by their data-key attribute, else the datetime of a
  // <time> that is their child, else their text.
  function key(cell, type) {
    var time = cell.querySelector(":scope > time");
    var v = cell.hasAttribute("data-key") ? cell.getAttribute("data-key") : time ? time.getAttribute("datetime") : cell.textContent.trim();
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
  // that is empty the <code> beside it: its title when it has one (a
  // digest cut short, whose title is the whole), else its text.
  function copyText(btn) {
    var text = btn.getAttribute("data-copy");
    if (text) return text;
    var code = btn.parentNode.querySelector("code");
    if (!code) return "";
    return code.getAttribute("title") || code.textContent;
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
    setupSearch();
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
