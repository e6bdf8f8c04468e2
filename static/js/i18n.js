/* The page's locale for scripts, and charts that read right to left (docs/i18n.md).
   Loaded first in <head>, without defer: <html data-locale> is the reader's BCP 47 locale with their
   digits and calendar ("ar-u-nu-arab", "fa-u-nu-arabext-ca-persian", "zh-Hans"); window.pulseLocale
   holds it for toLocaleString() and Intl. Chart.js is caught the moment its script defines
   window.Chart (whether a page loads it deferred or not, before any chart is drawn): its numbers
   follow the locale and, in Arabic and Persian, the horizontal axis runs right to left, value axes
   stand on the right and legends and tooltips read right to left. */
(function () {
  var html = document.documentElement;
  var rtl = html.dir === "rtl";
  window.pulseLocale = html.dataset.locale || html.lang || undefined;

  function chain(before, after) {
    return before ? function (scale) { before(scale); after(scale); } : after;
  }

  // Chart.js (4.6) leaves room at the chart's edges for the first and last tick labels (half of
  // each, or a slanted label's whole run when they are rotated), measuring the first tick from the
  // left and the last from the right: on a reversed axis both measures are wrong, no room is left and
  // the labels at the edges are cut off (the MRR chart's newest month, "M d Y", at the left).
  // Measured again here with the ticks where they are: the last label on the left, the first on the right.
  function edgeRoom(scale) {
    if (!scale.isHorizontal() || !scale.ticks.length || !scale._getLabelSizes) return;
    var sizes = scale._getLabelSizes();
    var pad = (scale.options.ticks && scale.options.ticks.padding) || 0;
    var angle = (scale.labelRotation * Math.PI) / 180;
    var needLeft = angle ? Math.cos(angle) * sizes.last.width : sizes.last.width / 2;
    var needRight = angle ? Math.sin(angle) * sizes.first.height : sizes.first.width / 2;
    var room = function (need, offset) {
      return Math.max(((need - offset + pad) * scale.width) / Math.max(scale.width - offset, 1), 0);
    };
    var left = scale.getPixelForTick(scale.ticks.length - 1) - scale.left;
    var right = scale.right - scale.getPixelForTick(0);
    scale.paddingLeft = room(needLeft, left);
    scale.paddingRight = room(needRight, right);
  }

  function flip(options) {
    var scales = options.scales || (options.scales = {});
    if (!Object.keys(scales).length) { scales.x = {}; scales.y = {}; }
    Object.keys(scales).forEach(function (id) {
      var scale = scales[id] || (scales[id] = {});
      var axis = scale.axis || id.charAt(0);
      if (axis === "x") {
        scale.reverse = !scale.reverse;
        scale.afterFit = chain(scale.afterFit, edgeRoom);
      }
      else if (axis === "y") scale.position = scale.position === "right" ? "left" : "right";
    });
  }

  function install(Chart) {
    if (!Chart || Chart.__pulseI18n) return;
    Chart.__pulseI18n = true;
    if (window.pulseLocale) Chart.defaults.locale = window.pulseLocale;
    // Every chart writes in the page's font stack (app.css --font: our Arabic and Chinese faces first),
    // not Chart.js's Helvetica / Arial, which has no Arabic or Chinese (empty boxes in the axis labels).
    var stack = getComputedStyle(html).getPropertyValue("--font").trim();
    if (stack) Chart.defaults.font.family = stack;
    // A canvas is drawn once: text drawn before our font file had arrived stays in the fallback face.
    // When a font finishes loading, every chart is measured and drawn again.
    if (document.fonts && document.fonts.addEventListener) {
      document.fonts.addEventListener("loadingdone", function () {
        Object.values(Chart.instances || {}).forEach(function (chart) { chart.update("none"); });
      });
    }
    if (!rtl) return;
    Chart.defaults.plugins.legend.rtl = true;
    Chart.defaults.plugins.legend.textDirection = "rtl";
    Chart.defaults.plugins.tooltip.rtl = true;
    Chart.defaults.plugins.tooltip.textDirection = "rtl";
    Chart.register({
      id: "pulseRightToLeft",
      beforeInit: function (chart) {
        var type = chart.config.type;
        if (type === "pie" || type === "doughnut" || type === "polarArea" || type === "radar") return;
        flip(chart.config.options || (chart.config.options = {}));
      },
    });
  }

  // An accessor that stays: a page may load Chart.js twice (a panel's partial and the page), and each
  // copy must be set up before it draws.
  var current = window.Chart;
  if (current) install(current);
  Object.defineProperty(window, "Chart", {
    configurable: true,
    enumerable: true,
    get: function () { return current; },
    set: function (value) { current = value; install(value); },
  });
})();
