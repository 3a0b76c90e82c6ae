/* LAPOR offline first (issue 16). Loaded on every page; does nothing without JavaScript, and
   the form works the same without it.
   - Registers the service worker (/sw.js), which keeps the report form for a phone with no
     connection.
   - On the report form: keeps what is typed in this device's localStorage as it is typed; a
     fresh form gets it back (after a closed tab, a dead connection, a reload). Sent while
     offline, the report is kept as pending and sent by the page when the connection returns
     (once: the pending mark is cleared before sending). The confirmation page forgets it.
   Files cannot be kept: they stay chosen while the page stays open, and the citizen is told to
   choose them again otherwise. Texts come from data-* attributes (translated in the template). */
(function () {
  "use strict";
  var KEY = "lapor-report-draft";
  var KEEP_MS = 30 * 24 * 3600 * 1000;
  var SKIP = { csrfmiddlewaretoken: 1, draft: 1, website: 1, remove: 1, preview: 1 };

  var sw = document.documentElement.getAttribute("data-sw");
  if (sw && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(sw, { scope: "/" }).catch(function () {});
  }

  function read() {
    try {
      var d = JSON.parse(window.localStorage.getItem(KEY) || "null");
      if (d && d.saved && Date.now() - d.saved < KEEP_MS) return d;
    } catch (e) { /* storage off or garbled: no draft */ }
    return null;
  }
  function write(d) {
    try { window.localStorage.setItem(KEY, JSON.stringify(d)); } catch (e) { /* full or off */ }
  }
  function forget() {
    try { window.localStorage.removeItem(KEY); } catch (e) { /* off */ }
  }

  if (document.querySelector("[data-draft-filed]")) { forget(); return; }
  var form = document.getElementById("report-form");
  if (!form || !window.localStorage) return;
  if (sw && "serviceWorker" in navigator) {
    // Keep this form for a visit with no connection (the worker fetches it once).
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) reg.active.postMessage({ keep: form.getAttribute("data-offline-url") });
    }).catch(function () {});
  }
  var status = document.getElementById("draft-status");
  var actions = document.getElementById("draft-actions");
  var submit = document.getElementById("submit-report");
  var pending = false;

  function say(name, extra) {
    if (!status) return;
    var text = status.getAttribute("data-" + name) || "";
    if (extra) text += " " + (status.getAttribute("data-" + extra) || "");
    status.textContent = text;
    status.hidden = !text;
  }

  function kept(el) {
    return el.name && !SKIP[el.name] && !el.disabled &&
      ["file", "hidden", "submit", "button", "password", "reset"].indexOf(el.type) < 0;
  }

  function collect() {
    var fields = {}, files = 0;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.type === "file") { files += el.files ? el.files.length : 0; return; }
      if (!kept(el)) return;
      if (el.type === "checkbox") fields[el.name] = el.checked;
      else if (el.type === "radio") { if (el.checked) fields[el.name] = el.value; }
      else fields[el.name] = el.value;
    });
    return { fields: fields, files: files };
  }

  function save() {
    var c = collect();
    // Nothing written yet (a click on "send" with an empty form): no draft to keep.
    if (!c.fields.title && !c.fields.description) { forget(); return; }
    write({ saved: Date.now(), fields: c.fields, files: c.files, pending: pending });
  }

  function fill(fields) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el) || !(el.name in fields)) return;
      var v = fields[el.name];
      if (el.type === "checkbox") el.checked = !!v;
      else if (el.type === "radio") el.checked = el.value === v;
      else el.value = v;
    });
  }

  function fresh() {
    var t = form.elements.title, d = form.elements.description;
    return !document.querySelector(".error-summary") && !(t && t.value) && !(d && d.value);
  }

  function send() {
    pending = false;
    save();
    if (actions) actions.hidden = true;
    say("sending");
    if (form.requestSubmit) form.requestSubmit(submit || undefined);
    else form.submit();
  }

  var draft = read();
  if (draft && fresh()) {
    fill(draft.fields || {});
    pending = !!draft.pending;
    say(pending ? "pending" : "restored", draft.files ? "files" : "");
    if (actions) actions.hidden = false;
    var again = document.getElementById("draft-send");
    if (again) again.hidden = !pending;
  }

  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", function (e) {
    if (navigator.onLine !== false) { pending = false; save(); return; }
    e.preventDefault();
    var preview = e.submitter && e.submitter.name === "preview";
    pending = !preview;
    save();
    say(preview ? "offline-preview" : "offline");
  });
  window.addEventListener("online", function () { if (pending) send(); });
  window.addEventListener("offline", function () { say("gone"); });

  var sendButton = document.getElementById("draft-send");
  if (sendButton) sendButton.addEventListener("click", send);
  var discard = document.getElementById("draft-discard");
  if (discard) discard.addEventListener("click", function () {
    forget();
    pending = false;
    form.reset();
    if (actions) actions.hidden = true;
    say("discarded");
  });
})();
