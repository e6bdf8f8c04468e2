/* Health trend charts: draws every canvas[data-health-chart] (data in the json_script named
   by the attribute, with the legend in the page's language), on load and after each htmx swap.
   Dates follow the page's locale (static/js/i18n.js sets the locale and direction of charts). */
(function () {
  if (window.healthCharts) return;
  window.healthCharts = true;
  function draw(root) {
    if (!window.Chart) return;
    (root || document).querySelectorAll("canvas[data-health-chart]").forEach(function (el) {
      if (el.dataset.drawn) return;
      var src = document.getElementById(el.dataset.healthChart);
      if (!src) return;
      var d = JSON.parse(src.textContent);
      var labels = d.labels.map(function (s) {
        var p = s.split("-").map(Number);
        return new Date(Date.UTC(p[0], p[1] - 1, p[2])).toLocaleDateString(window.pulseLocale, { month: "short", day: "numeric", timeZone: "UTC" });
      });
      el.dataset.drawn = "1";
      var colour = function (v) { return v < d.red_below ? "#f04438" : (v >= d.green_from ? "#12b76a" : "#f79009"); };
      new Chart(el, {
        type: "line",
        data: { labels: labels, datasets: [{ label: d.legend || "Health", data: d.scores, borderColor: "#6366f1", borderWidth: 2,
          pointRadius: d.scores.length > 40 ? 0 : 2, pointBackgroundColor: d.scores.map(colour), tension: 0.25, fill: false, spanGaps: true }] },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
          plugins: { legend: { display: false } },
          scales: { y: { min: 0, max: 100, ticks: { stepSize: 25 } }, x: { ticks: { maxTicksLimit: 6, autoSkip: true } } } },
        plugins: [{ id: "bands", beforeDraw: function (chart) {
          var a = chart.chartArea, y = chart.scales.y, ctx = chart.ctx;
          [[0, d.red_below, "rgba(240,68,56,.07)"], [d.red_below, d.green_from, "rgba(247,144,9,.07)"], [d.green_from, 100, "rgba(18,183,106,.07)"]]
            .forEach(function (b) { ctx.fillStyle = b[2]; ctx.fillRect(a.left, y.getPixelForValue(b[1]), a.right - a.left, y.getPixelForValue(b[0]) - y.getPixelForValue(b[1])); });
        } }]
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(); });
  window.addEventListener("load", function () { draw(); });
  document.addEventListener("htmx:afterSettle", function (e) { draw(e.target); });
  draw();
})();
