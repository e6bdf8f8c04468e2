/* Conversations' pages: a checkbox with data-check-all="selector" ticks or unticks every
   checkbox the selector finds (the review queue's "tick all"); no inline handler (CSP). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target.closest && event.target.closest("[data-check-all]");
    if (!box) return;
    document.querySelectorAll(box.getAttribute("data-check-all")).forEach(function (other) {
      other.checked = box.checked;
    });
  });
})();
