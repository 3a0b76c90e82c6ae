/* Staff pages: behaviour that must survive htmx swapping the report panel, so every handler
   is delegated from the document (no inline script: the CSP nonce of a swapped-in fragment is
   not the page's, and the browser would block it). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var NOTE_BOXES = ["resolve", "respond", "progress", "ask_info"];
  var lastNote = null;

  document.addEventListener("focusin", function (e) {
    var t = e.target;
    if (t && t.tagName === "TEXTAREA" && t.name === "note") { lastNote = t.id; }
  });

  function noteBox(wanted) {
    var el = wanted && document.getElementById("note-" + wanted);
    if (el) { return el; }
    el = lastNote && document.getElementById(lastNote);
    if (el) { return el; }
    for (var i = 0; i < NOTE_BOXES.length; i++) {
      el = document.getElementById("note-" + NOTE_BOXES[i]);
      if (el) { return el; }
    }
    return null;
  }

  // "Pakai" on an answer template: fills the box of the template's action, else the box the
  // officer was last writing in, else the first answer box on the page.
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-template]");
    if (!b) { return; }
    var box = noteBox(b.dataset.for);
    if (box) {
      box.value = b.dataset.template;
      box.focus();
    }
  });

  // "Pilih semua": the page's row checkboxes follow the header box.
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t && t.matches && t.matches("[data-select-all]")) {
      document.querySelectorAll("input[name=report][type=checkbox]").forEach(function (c) {
        c.checked = t.checked;
      });
    }
  });

  // Triage keyboard shortcuts (a report page opened from the triage workspace). Keys are
  // listed on the page; nothing fires while typing in a field.
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
    var el = document.querySelector('[data-key="' + e.key.toLowerCase() + '"]');
    if (!el) { return; }
    e.preventDefault();
    if (el.tagName === "TEXTAREA" || el.tagName === "INPUT" || el.tagName === "SELECT") {
      var d = el.closest("details");
      if (d) { d.open = true; }
      el.focus();
    } else {
      el.click();
    }
  });
})();
