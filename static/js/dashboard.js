// Draws the dashboards' charts from the JSON blocks next to them (the numbers are also in the
// tables on the page, so nothing is lost without JavaScript or without this file).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  var palette = ["#b91c1c", "#1d4ed8", "#15803d", "#a16207", "#7c3aed", "#0f766e", "#be185d", "#475569", "#c2410c"];
  function data(canvas) {
    var el = document.getElementById(canvas.getAttribute("data-source"));
    return el ? JSON.parse(el.textContent) : [];
  }
  ready(function () {
    if (!window.Chart) return;
    Chart.defaults.font.family = "system-ui, sans-serif";
    Chart.defaults.maintainAspectRatio = false;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var rows = data(canvas), kind = canvas.getAttribute("data-chart"), config;
      if (!rows.length) return;
      if (kind === "bar-h") {
        // One row per label, every label drawn in full (no skipping, no cut).
        canvas.parentNode.style.height = Math.max(240, rows.length * 22 + 48) + "px";
        config = {
          type: "bar",
          data: { labels: rows.map(function (r) { return r[0]; }),
                  datasets: [{ data: rows.map(function (r) { return r[1]; }), backgroundColor: palette[1] }] },
          options: { indexAxis: "y", plugins: { legend: { display: false } },
                     scales: { x: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } },
                               y: { ticks: { autoSkip: false } } } }
        };
      } else if (kind === "line") {
        var names = JSON.parse(canvas.getAttribute("data-labels") || "[]");
        config = {
          type: "line",
          data: { labels: rows.map(function (r) { return r[0]; }),
                  datasets: [1, 2].map(function (i) {
                    return { label: names[i - 1], data: rows.map(function (r) { return r[i]; }),
                             borderColor: palette[i - 1], backgroundColor: palette[i - 1], tension: 0.2 };
                  }) },
          options: { scales: { y: { beginAtZero: true } } }
        };
      } else {
        rows = rows.filter(function (r) { return r[1] > 0; });
        config = {
          type: "doughnut",
          data: { labels: rows.map(function (r) { return r[0]; }),
                  datasets: [{ data: rows.map(function (r) { return r[1]; }), backgroundColor: palette }] },
          options: { plugins: { legend: { position: "bottom" } } }
        };
      }
      canvas.chart = new Chart(canvas, config);
      canvas.setAttribute("data-drawn", "true");
    });
  });
})();
