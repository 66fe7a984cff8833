/* newstrace report: inlined into the page. Filter, tooltips, sentence hover, navigation. */
(function () {
  "use strict";
  var doc = document;
  function $(sel, root) { return (root || doc).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(sel)); }

  /* ---- article index filter: every word must occur in the row (title, source, lang:xx,
     kind:<artefact>, duplicate, non-english, id, author, date) ---- */
  var input = $("#filter");
  if (input) {
    var rows = $$("#index-body tr[data-q]");
    var count = $("#filter-count");
    var none = $("#filter-none");
    var total = rows.length;
    var pending = 0;
    var apply = function () {
      pending = 0;
      var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var q = rows[i].getAttribute("data-q");
        var ok = true;
        for (var j = 0; j < terms.length && ok; j++) ok = q.indexOf(terms[j]) !== -1;
        if (rows[i].hidden === ok) rows[i].hidden = !ok;
        if (ok) shown++;
      }
      if (count) count.textContent = terms.length ? shown + " of " + total + " shown" : total + (total === 1 ? " article" : " articles");
      if (none) none.hidden = shown !== 0;
    };
    var schedule = function () { if (!pending) pending = requestAnimationFrame(apply); };
    input.addEventListener("input", schedule);
    input.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { input.value = ""; apply(); } });
    var clear = $("#filter-clear");
    if (clear) clear.addEventListener("click", function () { input.value = ""; apply(); input.focus(); });
    doc.addEventListener("click", function (ev) {
      var el = ev.target.closest && ev.target.closest("[data-filter]");
      if (!el) return;
      ev.preventDefault();
      input.value = el.getAttribute("data-filter");
      apply();
      var target = $("#articles");
      if (target) target.scrollIntoView();
      input.focus({ preventScroll: true });
    });
    doc.addEventListener("keydown", function (ev) {  // "/" jumps to the filter
      if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      var t = ev.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      ev.preventDefault();
      input.focus();
    });
    if (input.value) apply();
  }

  /* ---- tooltips over annotated text (labels, normalised values, artefact kinds) ---- */
  var tip = $("#tip");
  var tipFor = null, tipX = null;
  function showTip(el, x) {
    tipX = x;
    tip.textContent = el.getAttribute("data-tip");
    tip.hidden = false;
    var r = el.getClientRects()[0] || el.getBoundingClientRect();
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var left = Math.min(Math.max(8, (x == null ? r.left : x) - w / 2), window.innerWidth - w - 8);
    var top = r.top - h - 8;
    if (top < 60) top = r.bottom + 8;
    tip.style.left = left + "px";
    tip.style.top = top + "px";
    tipFor = el;
  }
  function hideTip() { if (tip) tip.hidden = true; tipFor = null; }

  /* ---- sentence hover: the sentence under the pointer is lightly shaded ---- */
  var lit = [];
  function lightSentence(el) {
    var s = el.getAttribute("data-s");
    var box = el.closest(".atext");
    if (lit.length && lit[0].getAttribute("data-s") === s && lit[0].closest(".atext") === box) return;
    unlight();
    if (s === null || !box) return;
    lit = $$('[data-s="' + s + '"]', box);
    lit.forEach(function (p) { p.classList.add("s-hl"); });
  }
  function unlight() { lit.forEach(function (p) { p.classList.remove("s-hl"); }); lit = []; }

  doc.addEventListener("mouseover", function (ev) {
    var t = ev.target;
    if (!t.closest) return;
    var inText = t.closest(".atext");
    if (!inText) { if (tipFor) hideTip(); if (lit.length) unlight(); return; }
    var el = t.closest("[data-tip]");
    if (el && tip) { if (el !== tipFor) showTip(el, ev.clientX); } else hideTip();
    var s = t.closest("[data-s]");
    if (s) lightSentence(s); else unlight();
  });
  doc.addEventListener("click", function (ev) {  // touch screens: tap to show
    var el = ev.target.closest && ev.target.closest(".atext [data-tip]");
    if (el && tip) showTip(el, ev.clientX); else hideTip();
  });
  window.addEventListener("scroll", function () {  // keep the tip on its text, or drop it
    if (!tipFor) return;
    var r = tipFor.getBoundingClientRect();
    if (r.bottom < 0 || r.top > window.innerHeight) hideTip(); else showTip(tipFor, tipX);
  }, { passive: true });

  /* ---- stories table: text filter and "hide single-article stories" ---- */
  var sBody = $("#stories-body");
  if (sBody) {
    var sRows = $$("tr[data-q]", sBody);
    var sInput = $("#stories-filter");
    var sSingles = $("#stories-singles");
    var sCount = $("#stories-count");
    var sNone = $("#stories-none");
    var sApply = function () {
      var terms = sInput ? sInput.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
      var noSingles = !!(sSingles && sSingles.checked);
      var shown = 0;
      for (var i = 0; i < sRows.length; i++) {
        var row = sRows[i];
        var ok = !(noSingles && row.hasAttribute("data-single"));
        var q = row.getAttribute("data-q");
        for (var j = 0; j < terms.length && ok; j++) ok = q.indexOf(terms[j]) !== -1;
        if (row.hidden === ok) row.hidden = !ok;
        if (ok) shown++;
      }
      if (sCount) sCount.textContent = (terms.length || noSingles) ? shown + " of " + sRows.length + " shown"
        : sRows.length + (sRows.length === 1 ? " story" : " stories");
      if (sNone) sNone.hidden = shown !== 0;
    };
    if (sInput) {
      sInput.addEventListener("input", sApply);
      sInput.addEventListener("keydown", function (ev) { if (ev.key === "Escape") { sInput.value = ""; sApply(); } });
    }
    if (sSingles) sSingles.addEventListener("change", sApply);
    if ((sInput && sInput.value) || (sSingles && sSingles.checked)) sApply();
  }

  /* ---- a link to a story (or to a derived pair's comparison) opens its collapsed section ---- */
  function openStory(id) {
    var el = id && doc.getElementById(id);
    if (el && el.tagName === "DETAILS") el.open = true;
  }
  function openFromHash() {
    try { openStory(decodeURIComponent(location.hash.slice(1))); } catch (e) { /* malformed hash */ }
  }
  doc.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest('a[href^="#story-"], a[href^="#derivation-"], a[href^="#att-story-"], a[href^="#claim-"]');
    if (a) openStory(a.getAttribute("href").slice(1));
  });

  /* ---- derived pairs side by side: a passage under the pointer is outlined on both sides;
     a click on it scrolls the other side to its counterpart ---- */
  var pvLit = [];
  function pvParts(el) {
    var pair = el.closest(".pv-pair");
    var nums = (el.getAttribute("data-p") || "").split(" ").filter(Boolean);
    if (!pair || !nums.length) return [];
    return $$(nums.map(function (n) { return '.pv-text [data-p~="' + n + '"]'; }).join(","), pair);
  }
  function pvUnlight() { pvLit.forEach(function (p) { p.classList.remove("pv-on"); }); pvLit = []; }
  doc.addEventListener("mouseover", function (ev) {
    var el = ev.target.closest && ev.target.closest(".pv-text [data-p]");
    if (el && pvLit.indexOf(el) !== -1) return;
    pvUnlight();
    if (!el) return;
    pvLit = pvParts(el);
    pvLit.forEach(function (p) { p.classList.add("pv-on"); });
  });
  doc.addEventListener("click", function (ev) {
    var el = ev.target.closest && ev.target.closest(".pv-text [data-p]");
    if (!el) return;
    var box = el.closest(".pv-text");
    var first = (el.getAttribute("data-p") || "").split(" ")[0];
    var cols = $$(".pv-text", el.closest(".pv-pair"));
    cols.forEach(function (other) {
      if (other === box) return;
      var there = $('[data-p~="' + first + '"]', other);
      if (there) other.scrollTop += there.getBoundingClientRect().top - other.getBoundingClientRect().top
        - (el.getBoundingClientRect().top - box.getBoundingClientRect().top);
    });
  });
  /* ---- a line of an article's table under the pointer lights its highlights in the text
     above: attributions (source, cue, content) from the "who said what" table, claims from the
     claims list (a claim's tag in the text links to, and opens, its line). The item's `attr`
     is one number; what is lit is every element under `litSel` (default ".atext") in the
     item's `scopeSel` (default ".article") whose `attr` lists that number ---- */
  function lightOnHover(lineSel, attr, onClass, scopeSel, litSel) {
    scopeSel = scopeSel || ".article";
    litSel = litSel || ".atext";
    var lit = [], line = null;
    function unlight() { lit.forEach(function (p) { p.classList.remove(onClass); }); lit = []; line = null; }
    doc.addEventListener("mouseover", function (ev) {
      var item = ev.target.closest && ev.target.closest(lineSel);
      if (item === line) return;
      unlight();
      if (!item) return;
      var art = item.closest(scopeSel);
      var n = item.getAttribute(attr);
      if (!art || !/^[0-9]+$/.test(n)) return;
      line = item;
      lit = $$(litSel + " [" + attr + '~="' + n + '"]', art);
      lit.forEach(function (p) { p.classList.add(onClass); });
    });
  }
  lightOnHover(".att-tbl tr[data-att]", "data-att", "att-on");
  lightOnHover(".cl-list [data-claim]", "data-claim", "cl-on");

  /* ---- events: in the actor network, the pointer on an actor lights it and its arrows, on
     an arrow lights it and its two actors (CSS dims the rest while something is lit; each
     has its own class, so that leaving one for the other never unlights what the other lit) ---- */
  lightOnHover(".ev-net .ev-node", "data-evn", "ev-on-n", ".ev-net", "svg");
  lightOnHover(".ev-net .ev-edge", "data-eve", "ev-on-e", ".ev-net", "svg");

  window.addEventListener("hashchange", openFromHash);
  openFromHash();

  /* ---- references to articles that have no section in this page become plain text ---- */
  $$("a.xref").forEach(function (a) {
    var id = a.getAttribute("href").slice(1);
    if (doc.getElementById(id)) return;
    var span = doc.createElement("span");
    span.textContent = a.textContent + " (not detailed in this report)";
    a.replaceWith(span);
  });

  /* ---- navigation: drawer on narrow screens, current article marked in the sidebar ---- */
  var body = doc.body;
  var toggle = $("#navtoggle");
  var side = $("#sidebar");
  if (toggle && side) {
    toggle.addEventListener("click", function () {
      var open = body.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    side.addEventListener("click", function (ev) {
      if (ev.target.closest("a")) { body.classList.remove("nav-open"); toggle.setAttribute("aria-expanded", "false"); }
    });
  }
  if (side && "IntersectionObserver" in window) {
    var links = {};
    $$("a[data-nav]", side).forEach(function (a) { links[a.getAttribute("href").slice(1)] = a; });
    var current = null;
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (en) {
        if (!en.isIntersecting) return;
        var a = links[en.target.id];
        if (!a || a === current) return;
        if (current) current.removeAttribute("aria-current");
        a.setAttribute("aria-current", "true");
        current = a;
        var top = a.offsetTop - side.clientHeight / 2;
        if (a.offsetTop < side.scrollTop || a.offsetTop > side.scrollTop + side.clientHeight - 40) side.scrollTop = top;
      });
    }, { rootMargin: "-60px 0px -70% 0px" });
    $$("section[id], article[id]", $("main")).forEach(function (el) { if (links[el.id]) observer.observe(el); });
  }
})();
