/* Small behaviours bound from data-* attributes, so no template needs an inline event handler
   (the Content-Security-Policy allows no inline script but the request's nonce):
   - data-confirm="Text" on a form, or on a submit button: ask before submitting;
   - data-select-on-click on an input: select its text (share links, keys);
   - data-copy="text" or data-copy-from="#id" on a button: copy to the clipboard, then show
     data-copied (e.g. "Copied");
   - data-submit-on-change on a field: submit its form when it changes;
   - data-remove-closest=".selector" on a button: remove that ancestor, then trigger
     data-then-trigger="event" on data-then-target ("#id") for htmx;
   - data-toggle-custom-period on a form: class "custom" while its period field says "custom";
   - a "tasks-changed" event (HX-Trigger) that did not carry the task counts: "tasks-recount" on
     #task-counts-listener, which fetches them (an hx-trigger filter would need eval). */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var select = target.closest("[data-select-on-click]");
    if (select && typeof select.select === "function") select.select();

    var copy = target.closest("[data-copy], [data-copy-from]");
    if (copy) {
      var source = copy.getAttribute("data-copy-from");
      var text = source ? (document.querySelector(source) || {}).textContent : copy.getAttribute("data-copy");
      if (text && navigator.clipboard) navigator.clipboard.writeText(text.trim());
      if (copy.getAttribute("data-copied")) copy.textContent = copy.getAttribute("data-copied");
    }

    var remover = target.closest("[data-remove-closest]");
    if (remover) {
      var gone = remover.closest(remover.getAttribute("data-remove-closest"));
      var after = remover.getAttribute("data-then-trigger");
      var on = remover.getAttribute("data-then-target");
      if (gone) gone.remove();
      if (after && on && window.htmx) window.htmx.trigger(on, after);
    }
  });

  document.body.addEventListener("tasks-changed", function (event) {
    var listener = document.getElementById("task-counts-listener");
    if (listener && window.htmx && !(event.detail && event.detail.counted)) window.htmx.trigger(listener, "tasks-recount");
  });

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!(field instanceof Element)) return;
    if (field.hasAttribute("data-submit-on-change") && field.form) field.form.submit();
    var form = field.closest("form[data-toggle-custom-period]");
    if (form) form.classList.toggle("custom", !!(form.period && form.period.value === "custom"));
  });
})();
