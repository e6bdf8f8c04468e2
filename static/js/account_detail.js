// Account 360: the 90-day usage chart (vendored Chart.js). Data comes from a json_script tag.
(function () {
  const source = document.getElementById("usage-data");
  const canvas = document.getElementById("usage-chart");
  if (!source || !canvas || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const labels = data.labels.map((d) => {
    const [y, m, day] = d.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, day)).toLocaleDateString(window.pulseLocale, { month: "short", day: "numeric", timeZone: "UTC" });
  });
  new Chart(canvas, {
    data: {
      labels,
      datasets: [
        { type: "bar", label: "Events", data: data.events, backgroundColor: "rgba(99,102,241,.35)", hoverBackgroundColor: "rgba(99,102,241,.6)", borderRadius: 2, yAxisID: "y", order: 2 },
        { type: "line", label: "Active users", data: data.users, borderColor: "#12b76a", backgroundColor: "#12b76a", borderWidth: 2, pointRadius: 0, tension: 0.3, yAxisID: "y1", order: 1 },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { display: false } },
      scales: {
        x: { grid: { display: false }, ticks: { maxTicksLimit: 10, color: "#667085", font: { size: 11 } } },
        y: { beginAtZero: true, grid: { color: "#f2f4f7" }, ticks: { color: "#667085", font: { size: 11 }, precision: 0 } },
        y1: { beginAtZero: true, position: "right", grid: { display: false }, ticks: { color: "#12b76a", font: { size: 11 }, precision: 0 } },
      },
    },
  });
})();
