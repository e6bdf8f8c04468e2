/* Draws every <canvas data-chart="ID"> from the JSON in <script id="ID" type="application/json">
   (configs are built on the server, reports/charts.py). Runs on load and after htmx swaps. The
   page's locale and right-to-left charts come from static/js/i18n.js (one place for every chart). */
(function () {
  function money(v) {
    return Number(v).toLocaleString(window.pulseLocale, { maximumFractionDigits: 0 });
  }
  function draw(root) {
    if (typeof Chart === "undefined") return;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.font.size = 12;
    Chart.defaults.color = "#475467";
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.animation = false;
    (root || document).querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      var config = JSON.parse(source.textContent);
      var existing = Chart.getChart(canvas);
      if (existing) existing.destroy();
      if (canvas.dataset.money !== undefined) {
        config.options = config.options || {};
        config.options.scales = config.options.scales || {};
        var axis = config.options.indexAxis === "y" ? "x" : "y";
        config.options.scales[axis] = Object.assign({}, config.options.scales[axis], {
          ticks: { callback: function (v) { return money(v); } },
        });
      }
      new Chart(canvas, config);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (e) { draw(e.target); });
})();
