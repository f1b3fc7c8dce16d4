// Keyboard shortcuts of the officer's desk (intake/officer/shortcuts.py lists them). Without this file
// every control is still a link, a button or a field; the help panel is a <details> that opens anyway.
//   queue: j / k move between the rows, o (or Enter on the row's link) opens it, / goes to the search;
//   case:  n opens the next case, t takes the report, s goes to the change of status;
//   both:  ? opens or closes the list of shortcuts, where they can also be turned off.
// An element answers a key through its `data-key` attribute (and announces it in `aria-keyshortcuts`).
(function () {
  "use strict";
  var STORE = "blagh.shortcuts";
  var help = document.getElementById("shortcuts");
  if (!help) { return; }

  var enabled = function () {
    try { return window.localStorage.getItem(STORE) !== "off"; } catch (e) { return true; }
  };

  // Single keys can get in the way (speech input, some screen readers): they can be turned off (WCAG 2.1.4).
  var toggle = document.getElementById("shortcuts-enabled");
  if (toggle) {
    toggle.checked = enabled();
    document.getElementById("shortcuts-switch").hidden = false;  // a switch that works only with this file
    toggle.addEventListener("change", function () {
      try { window.localStorage.setItem(STORE, toggle.checked ? "on" : "off"); } catch (e) { /* private mode */ }
    });
  }

  // The key as printed on the keycap: a Latin letter even with an Arabic or other layout active.
  var keyOf = function (event) {
    if (event.key === "؟") { return "?"; }
    if (event.key && event.key.length === 1 && event.key.charCodeAt(0) < 128) { return event.key.toLowerCase(); }
    var letter = /^Key([A-Z])$/.exec(event.code || "");
    return letter ? letter[1].toLowerCase() : event.key;
  };

  var typing = function (target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  };

  // The queue's rows: j and k move a visible marker and the focus (on the row's link, so Enter opens it).
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-rows] tbody tr"));
  var current = -1;
  var select = function (index) {
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) { row.classList.toggle("current", i === current); });
    var link = rows[current].querySelector("a");
    if (link) { link.focus(); }
  };
  rows.forEach(function (row, index) {
    row.addEventListener("focusin", function () { current = index; });
  });

  var act = function (key) {
    if ((key === "j" || key === "k") && rows.length) {
      select(key === "j" ? current + 1 : Math.max(current - 1, 0));
      return true;
    }
    if (key === "o") {
      var link = current >= 0 && rows[current].querySelector("a");
      if (link) { window.location.assign(link.href); }
      return Boolean(link);
    }
    if (key === "?") {
      help.open = !help.open;
      help.querySelector("summary").focus();
      return true;
    }
    var target = /^[a-z\/]$/.test(key) && document.querySelector('[data-key="' + key + '"]');
    if (!target || target.disabled) { return false; }
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) {
      target.focus();
      target.scrollIntoView({ block: "center" });
    } else {
      target.click();
    }
    return true;
  };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) { return; }
    if (typing(event.target) || !enabled()) { return; }
    var key = keyOf(event);
    if (event.shiftKey && key !== "?") { return; }  // Shift+T is not t: only ? needs Shift on most layouts
    if (key && key.length === 1 && act(key)) { event.preventDefault(); }
  });
})();
