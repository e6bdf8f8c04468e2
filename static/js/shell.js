/* The staff shell on a phone: the menu button in the top bar opens the sidebar as a drawer
   (issue 15, item 5). The button says whether it is open (aria-expanded); the drawer takes the
   focus and keeps it while open; Escape, the close button or a tap outside close it and give
   the focus back to the button. On a wide screen the sidebar is always there and none of this
   runs. */
(function () {
  "use strict";

  var toggle = document.querySelector("[data-shell-toggle]");
  var sidebar = document.getElementById("sidebar");
  var backdrop = document.querySelector(".sidebar-backdrop");
  if (!toggle || !sidebar) return;
  var phone = window.matchMedia("(max-width: 760px)");

  function isOpen() {
    return document.body.classList.contains("nav-open");
  }

  function focusable() {
    return Array.prototype.filter.call(
      sidebar.querySelectorAll("a[href], button:not([disabled])"),
      function (el) { return el.getClientRects().length > 0; }
    );
  }

  function open() {
    document.body.classList.add("nav-open");
    toggle.setAttribute("aria-expanded", "true");
    if (backdrop) backdrop.hidden = false;
    // After the style change: a link inside a still-hidden drawer cannot take the focus.
    requestAnimationFrame(function () {
      var active = sidebar.querySelector("a.nav.active");
      (active || focusable()[0] || sidebar).focus();
    });
  }

  function close(giveFocusBack) {
    if (!isOpen()) return;
    document.body.classList.remove("nav-open");
    toggle.setAttribute("aria-expanded", "false");
    if (backdrop) backdrop.hidden = true;
    if (giveFocusBack) toggle.focus();
  }

  toggle.addEventListener("click", function () {
    if (isOpen()) close(true);
    else open();
  });

  document.querySelectorAll("[data-shell-close]").forEach(function (el) {
    el.addEventListener("click", function () { close(true); });
  });

  document.addEventListener("keydown", function (evt) {
    if (!isOpen()) return;
    if (evt.key === "Escape") {
      evt.preventDefault();
      close(true);
    } else if (evt.key === "Tab") {
      // Keep the focus in the open drawer, as a modal dialog does.
      var items = focusable();
      if (!items.length) return;
      var first = items[0];
      var last = items[items.length - 1];
      if (evt.shiftKey && document.activeElement === first) {
        evt.preventDefault();
        last.focus();
      } else if (!evt.shiftKey && document.activeElement === last) {
        evt.preventDefault();
        first.focus();
      }
    }
  });

  // Turning the phone to a wide screen shows the sidebar in place: no drawer state left over.
  phone.addEventListener("change", function () { close(false); });
})();
