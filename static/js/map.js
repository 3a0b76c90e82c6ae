/* LAPOR maps (issue 16), with the vendored Leaflet (static/vendor/leaflet/). Every map is an
   addition to a page that works without it: the form keeps its latitude and longitude fields,
   a report page says its place in words, the map view lists its reports as links. Tiles come
   from the URL in data-tiles (LAPOR_MAP_TILES_URL); when they cannot load the map stays grey
   and everything else works.
   - [data-map=pin]: the form's optional pin; a click (or a tap) fills the two fields, and
     typing in the fields moves the pin.
   - [data-map=point]: one report's place, a small map.
   - [data-map=reports]: markers from a JSON endpoint (data-source), asked for the visible box. */
(function () {
  "use strict";
  if (!window.L) return;
  var INDONESIA = [-2.5, 118], LAT = [-11, 6], LNG = [94, 142];

  function base(el, options) {
    var map = L.map(el, options || {});
    L.tileLayer(el.getAttribute("data-tiles"), {
      maxZoom: 19,
      attribution: el.getAttribute("data-attribution") || "",
      referrerPolicy: "strict-origin-when-cross-origin",
    }).addTo(map);
    return map;
  }

  function dot(latlng) {
    return L.circleMarker(latlng, { radius: 8, color: "#8a0e14", weight: 2, fillColor: "#b3131b", fillOpacity: 0.85 });
  }

  function number(v) {
    var n = parseFloat(String(v || "").replace(",", "."));
    return isFinite(n) ? n : null;
  }

  function pin(el) {
    var lat = document.getElementById(el.getAttribute("data-lat-input"));
    var lng = document.getElementById(el.getAttribute("data-lng-input"));
    if (!lat || !lng) return;
    // The form's map sits in a closed <details>: made when first opened, so that a citizen who
    // never opens it downloads no tile (and Leaflet measures a box that is shown).
    var details = el.closest("details");
    if (details && !details.open) {
      details.addEventListener("toggle", function once() {
        if (!details.open) return;
        details.removeEventListener("toggle", once);
        makePin(el, lat, lng);
      });
      return;
    }
    makePin(el, lat, lng);
  }

  function makePin(el, lat, lng) {
    el.hidden = false;
    var map = base(el), marker = null;
    function place(latlng, pan) {
      if (marker) marker.setLatLng(latlng); else marker = dot(latlng).addTo(map);
      if (pan) map.setView(latlng, Math.max(map.getZoom() || 0, 15));
    }
    function fromFields(pan) {
      var a = number(lat.value), b = number(lng.value);
      if (a === null || b === null) return false;
      place([a, b], pan);
      return true;
    }
    if (!fromFields(true)) map.setView(INDONESIA, 4);
    map.on("click", function (e) {
      var a = e.latlng.lat, b = e.latlng.lng;
      if (a < LAT[0] || a > LAT[1] || b < LNG[0] || b > LNG[1]) return;  // outside Indonesia
      lat.value = a.toFixed(6);
      lng.value = b.toFixed(6);
      place(e.latlng, false);
      lat.dispatchEvent(new Event("change", { bubbles: true }));
    });
    lat.addEventListener("change", function () { fromFields(true); });
    lng.addEventListener("change", function () { fromFields(true); });
  }

  function point(el) {
    var a = number(el.getAttribute("data-lat")), b = number(el.getAttribute("data-lng"));
    if (a === null || b === null) return;
    el.hidden = false;
    var map = base(el, { scrollWheelZoom: false });
    map.setView([a, b], 15);
    dot([a, b]).addTo(map);
  }

  function reports(el) {
    var source = el.getAttribute("data-source");
    var more = document.getElementById(el.getAttribute("data-truncated") || "");
    el.hidden = false;
    var map = base(el);
    var layer = L.layerGroup().addTo(map);
    var asked = 0;
    map.setView(INDONESIA, 5);
    function ask(url, then) {
      var mine = ++asked;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { points: [] }; })
        .then(function (data) { if (mine === asked) then(data); })  // else a newer box was asked
        .catch(function () { /* offline: the list below still works */ });
    }
    function draw(data) {
      layer.clearLayers();
      (data.points || []).forEach(function (p) {
        var box = document.createElement("div");
        var title = document.createElement("a");
        title.href = p.url;
        title.textContent = p.title;
        var meta = document.createElement("p");
        meta.textContent = p.tracking + " · " + p.status;
        box.appendChild(title);
        box.appendChild(meta);
        dot([p.lat, p.lng]).bindPopup(box).addTo(layer);
      });
      el.setAttribute("data-count", String((data.points || []).length));
      if (more) more.hidden = !data.truncated;
    }
    function inView() {
      var b = map.getBounds();
      var box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v, i) {
        var limit = i % 2 ? 90 : 180;
        return Math.max(-limit, Math.min(limit, v)).toFixed(5);
      }).join(",");
      ask(source + (source.indexOf("?") < 0 ? "?" : "&") + "bbox=" + box, draw);
    }
    // First the newest matching reports anywhere, and the view that holds them; then the
    // markers of whatever box the citizen moves to.
    ask(source, function (data) {
      draw(data);
      var points = (data.points || []).map(function (p) { return [p.lat, p.lng]; });
      if (points.length) map.fitBounds(points, { maxZoom: 15, padding: [24, 24], animate: false });
      map.on("moveend", inView);
    });
  }

  var kinds = { pin: pin, point: point, reports: reports };
  Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), function (el) {
    var make = kinds[el.getAttribute("data-map")];
    if (make) make(el);
  });
})();
