// The portfolio's bulk bar (accounts/account_portfolio.html): "This page" ticks every row of the
// page, the count follows the ticks, and a finished reassignment (HX-Trigger: portfolio-changed)
// reloads the results with the filters of the address bar. The form works without this script.
(function () {
  function boxes() { return document.querySelectorAll('input[name="account_ids"][form="reassign-form"]'); }
  function refreshCount() {
    var counter = document.getElementById("selected-count");
    if (!counter) return;
    var ticked = Array.prototype.filter.call(boxes(), function (b) { return b.checked; }).length;
    var all = document.getElementById("all-matching");
    var label = all && all.checked ? all.parentNode.textContent.trim() : String(ticked);
    counter.textContent = counter.dataset.template.replace("__N__", label);
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.id === "select-page") {
      boxes().forEach(function (b) { b.checked = target.checked; });
    }
    if (target.id === "select-page" || target.id === "all-matching" || target.name === "account_ids") refreshCount();
  });
  document.body.addEventListener("portfolio-changed", function () {
    if (window.htmx) {
      window.htmx.ajax("GET", window.location.pathname + window.location.search, { target: "#portfolio-results", swap: "innerHTML" });
    }
  });
})();
