/* Draws every <canvas data-chart="ID"> from the JSON in <script id="ID" type="application/json">
   (configs are built on the server, reports/charts.py). Runs on load and after htmx swaps. */
(function () {
  var lang = document.documentElement.lang || undefined;
  var rtl = document.documentElement.dir === "rtl";
  function money(v) {
    return Number(v).toLocaleString(lang, { maximumFractionDigits: 0 });
  }
  /* Right to left (Arabic, Persian): time runs from the right, the value axis stands on the right,
     legends read right to left; numbers follow the page's language. */
  function localise(config) {
    var options = (config.options = config.options || {});
    options.locale = lang;
    if (!rtl) return;
    options.plugins = options.plugins || {};
    options.plugins.legend = Object.assign({ rtl: true, textDirection: "rtl" }, options.plugins.legend);
    if (options.plugins.legend.position === "right") options.plugins.legend.position = "left";
    options.plugins.tooltip = Object.assign({ rtl: true, textDirection: "rtl" }, options.plugins.tooltip);
    if (config.type === "doughnut" || config.type === "pie") return;
    options.scales = options.scales || {};
    var across = options.indexAxis === "y" ? "y" : "x";
    var value = across === "x" ? "y" : "x";
    options.scales[across] = Object.assign({}, options.scales[across], across === "x" ? { reverse: true } : { position: "right" });
    if (value === "y") options.scales.y = Object.assign({}, options.scales.y, { position: "right" });
    else options.scales.x = Object.assign({}, options.scales.x, { reverse: true });
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
      localise(config);
      new Chart(canvas, config);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (e) { draw(e.target); });
})();
