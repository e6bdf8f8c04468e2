/* Refused htmx requests show their message where the user acted (issue 15, item 6).

   One rule for every page, so no view needs its own error script:
   - a 4xx answer that is an HTML fragment (a form re-rendered with its errors, a preview that
     says what to fix) is swapped into the request's target, as a 200 would be;
   - any other error answer (a styled 403/404/500 page, JSON {"code", "message"}, plain text)
     is not swapped: its message goes in an alert right after the element that sent the
     request, or in a toast when that element is gone or hidden;
   - a form field the browser's own validation refuses (htmx sends nothing then) gets the
     browser's message right after the field;
   - no answer at all (network down, timeout) shows a toast.
   The generic wordings come translated from base.html (#htmx-error-texts). */
(function () {
  "use strict";

  var slots = new WeakMap(); // element that sent the request -> its alert
  // Fields the user changed and forms the user submitted: a preview that runs on page load
  // must not greet the user with "Please fill out this field" under fields not filled in yet.
  var touched = new WeakSet();
  ["input", "change", "submit"].forEach(function (type) {
    document.addEventListener(type, function (evt) { touched.add(evt.target); }, true);
  });
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest ? evt.target.closest("button, input[type=submit]") : null;
    if (button && button.form) touched.add(button.form); // htmx on a button sends no submit event
  }, true);

  function text(name) {
    var holder = document.getElementById("htmx-error-texts");
    return (holder && holder.dataset[name]) || "";
  }

  function header(xhr, name) {
    return (xhr.getResponseHeader(name) || "").toLowerCase();
  }

  function isErrorPage(body) {
    return /data-error-page|<html[\s>]/i.test(body);
  }

  function isFragment(xhr) {
    var body = xhr.responseText || "";
    return header(xhr, "Content-Type").indexOf("text/html") === 0 && /<[a-z]/i.test(body) && !isErrorPage(body);
  }

  function messageOf(xhr) {
    var type = header(xhr, "Content-Type");
    var body = xhr.responseText || "";
    if (type.indexOf("json") !== -1) {
      try {
        var data = JSON.parse(body);
        if (data && (data.message || data.detail)) return String(data.message || data.detail);
      } catch (ignored) { /* fall through to the generic wording */ }
    } else if (type.indexOf("text/html") === 0) {
      var doc = new DOMParser().parseFromString(body, "text/html");
      var marked = doc.querySelector("[data-error-message]");
      var found = marked ? marked.textContent : doc.body ? doc.body.textContent : "";
      if (found.trim() && found.trim().length <= 300) return found.trim().replace(/\s+/g, " ");
    } else if (body.trim() && body.trim().length <= 300) {
      return body.trim();
    }
    return xhr.status >= 500 ? text("server") : text("refused");
  }

  function visible(elt) {
    return elt && elt.isConnected && elt.getClientRects().length > 0;
  }

  function toast(message) {
    var box = document.getElementById("toasts");
    if (!box) {
      box = document.createElement("div");
      box.id = "toasts";
      box.className = "toasts";
      box.setAttribute("aria-live", "assertive");
      document.body.appendChild(box);
    }
    var item = document.createElement("div");
    item.className = "toast error";
    item.setAttribute("role", "alert");
    item.textContent = message;
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, 8000);
  }

  function clear(elt) {
    var slot = elt && slots.get(elt);
    if (slot) {
      slot.remove();
      slots.delete(elt);
    }
  }

  /* Shows `message` right after `elt` (inside it when it is a form, so the alert stays in the
     form's own layout), replacing an earlier alert of the same element. */
  function show(elt, message) {
    clear(elt);
    if (!visible(elt)) {
      toast(message);
      return;
    }
    var slot = document.createElement("div");
    slot.className = "htmx-error";
    slot.setAttribute("role", "alert");
    slot.dataset.htmxError = "";
    slot.textContent = message;
    if (elt.tagName === "FORM") elt.appendChild(slot);
    else elt.insertAdjacentElement("afterend", slot);
    slots.set(elt, slot);
  }

  document.addEventListener("htmx:beforeRequest", function (evt) {
    clear(evt.detail.elt);
  });

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr.status < 400) return;
    if (xhr.status < 500 && isFragment(xhr)) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
      return;
    }
    evt.detail.shouldSwap = false;
    show(evt.detail.requestConfig ? evt.detail.requestConfig.elt : evt.detail.elt, messageOf(xhr));
  });

  document.addEventListener("htmx:validation:validate", function (evt) {
    clear(evt.target);
  });

  document.addEventListener("htmx:validation:failed", function (evt) {
    var field = evt.target;
    if (touched.has(field) || (field.form && touched.has(field.form))) {
      show(field, evt.detail.message || text("refused"));
    }
  });

  document.addEventListener("htmx:sendError", function () { toast(text("network")); });
  document.addEventListener("htmx:timeout", function () { toast(text("network")); });
})();
