/*! Pulse CS survey widget. Plain JavaScript, no dependencies. Drawn in a shadow root.
 * <script async src="https://APP/widget/v1.js" data-workspace="wk_..." data-user-id="ID"
 *   data-user-hash="HMAC-SHA256(secret, ID) hex" data-language="en"></script>
 * window.PulseSurvey.event("name") asks again after a usage event (event-triggered surveys). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.PulseSurvey) return;
  var d = script.dataset, base = new URL(script.src).origin + "/widget/" + encodeURIComponent(d.workspace || "") + "/";
  var who = { user_id: d.userId || "", user_hash: d.userHash || "" };
  var open = false;

  function post(path, body) {
    var payload = {};
    for (var k in who) payload[k] = who[k];
    for (k in body) payload[k] = body[k];
    // text/plain keeps it a "simple" CORS request (no preflight); the server reads JSON anyway.
    return fetch(base + path + "/", {
      method: "POST", mode: "cors", credentials: "omit", keepalive: true,
      headers: { "Content-Type": "text/plain" }, body: JSON.stringify(payload)
    }).then(function (r) { return r.json().then(function (j) { j.status = r.status; return j; }); });
  }

  function check(event) {
    if (open || !d.workspace || !who.user_id) return;
    post("eligibility", { language: d.language || document.documentElement.lang || "", event: event || "", url: location.href })
      .then(function (r) {
        if (r.show) setTimeout(function () { show(r.survey, r.token); }, (r.survey.delay || 0) * 1000);
      })["catch"](function () {});
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var a in attrs || {}) e.setAttribute(a, attrs[a]);
    if (text != null) e.textContent = text;
    return e;
  }

  var CSS =
    ":host{all:initial}*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Tahoma,Arial,sans-serif}" +
    ".w{position:fixed;bottom:16px;inset-inline-end:16px;z-index:2147483647;width:400px;max-width:calc(100vw - 32px);" +
    "background:#fff;color:#111827;border:1px solid #e5e7eb;border-radius:12px;box-shadow:0 12px 32px rgba(0,0,0,.18);" +
    "padding:18px 18px 14px;font-size:14px;line-height:1.45}" +
    ".top{display:flex;align-items:flex-start;gap:10px}.top img{height:24px;max-width:96px;object-fit:contain}" +
    "h2{flex:1;margin:0;font-size:15px;font-weight:600}" +
    ".x{border:0;background:none;font-size:20px;line-height:1;cursor:pointer;color:#6b7280;padding:2px 6px;border-radius:6px}" +
    ".s{display:flex;gap:4px;margin:14px 0 6px;flex-wrap:nowrap}" +
    ".s button{flex:1;min-width:0;height:36px;border:1px solid #d1d5db;background:#fff;border-radius:6px;cursor:pointer;font-size:14px;color:#111827;padding:0}" +
    ".s button:hover{border-color:var(--c)}.s button[aria-checked=true]{background:var(--c);border-color:var(--c);color:#fff}" +
    ".l{display:flex;justify-content:space-between;font-size:12px;color:#6b7280}" +
    "label{display:block;margin:12px 0 4px;font-weight:500}" +
    "textarea,select{width:100%;border:1px solid #d1d5db;border-radius:6px;padding:8px;font-size:14px;resize:vertical}" +
    "fieldset{border:0;padding:0;margin:10px 0 0}legend{font-weight:500;margin-bottom:4px}fieldset label{display:flex;gap:6px;margin:2px 0;font-weight:400}" +
    ".go{margin-top:12px;background:var(--c);color:#fff;border:0;border-radius:6px;padding:8px 16px;font-size:14px;cursor:pointer}" +
    "button:focus-visible,textarea:focus-visible,input:focus-visible{outline:2px solid var(--c);outline-offset:2px}" +
    ".t{margin:6px 0 2px}" +
    "@media (max-width:480px){.w{inset-inline:0;bottom:0;width:100%;max-width:100%;border-radius:12px 12px 0 0}.s{flex-wrap:wrap}.s button{flex:1 0 15%;height:44px}}";

  function show(s, token) {
    if (open) return;
    open = true;
    var t = s.texts, score = null, answered = false;
    var host = el("div", { "data-pulse-survey": "" });
    var root = host.attachShadow({ mode: "open" });
    var style = el("style"); style.textContent = CSS; root.appendChild(style);
    var w = el("div", { "class": "w", role: "dialog", "aria-modal": "false", "aria-labelledby": "q", lang: s.lang, dir: s.dir });
    w.style.setProperty("--c", s.color || "#4f46e5");
    var top = el("div", { "class": "top" });
    if (s.logo) top.appendChild(el("img", { src: s.logo, alt: "" }));
    top.appendChild(el("h2", { id: "q" }, t.question));
    var x = el("button", { "class": "x", type: "button", "aria-label": t.dismiss }, "\u00d7");
    top.appendChild(x);
    w.appendChild(top);
    var body = el("div");
    w.appendChild(body);

    var scale = el("div", { "class": "s", role: "radiogroup", "aria-labelledby": "q" });
    var buttons = [];
    for (var n = s.min; n <= s.max; n++) {
      var b = el("button", { type: "button", role: "radio", "aria-checked": "false", tabindex: n === s.min ? "0" : "-1" }, String(n));
      b.setAttribute("aria-label", n + (n === s.min ? " " + t.low_label : n === s.max ? " " + t.high_label : ""));
      b.onclick = (function (v) { return function () { pick(v); }; })(n);
      buttons.push(b);
      scale.appendChild(b);
    }
    scale.onkeydown = function (e) {
      var i = buttons.indexOf(root.activeElement), dir = s.dir === "rtl" ? -1 : 1, step = 0;
      if (e.key === "ArrowRight" || e.key === "ArrowDown") step = e.key === "ArrowDown" ? 1 : dir;
      if (e.key === "ArrowLeft" || e.key === "ArrowUp") step = e.key === "ArrowUp" ? -1 : -dir;
      if (!step || i < 0) return;
      e.preventDefault();
      var j = Math.max(0, Math.min(buttons.length - 1, i + step));
      buttons[i].setAttribute("tabindex", "-1");
      buttons[j].setAttribute("tabindex", "0");
      buttons[j].focus();
    };
    body.appendChild(scale);
    var labels = el("div", { "class": "l", "aria-hidden": "true" });
    labels.appendChild(el("span", null, t.low_label));
    labels.appendChild(el("span", null, t.high_label));
    body.appendChild(labels);

    var more = el("form");
    more.hidden = true;
    more.appendChild(el("label", { "for": "c" }, t.comment_label));
    var comment = el("textarea", { id: "c", rows: "3", maxlength: "5000", placeholder: t.placeholder });
    more.appendChild(comment);
    (s.follow_ups || []).forEach(function (f) {
      if (f.type === "text") {
        more.appendChild(el("label", { "for": "f_" + f.id }, f.label));
        more.appendChild(el("textarea", { id: "f_" + f.id, "data-q": f.id, rows: "2", maxlength: "1000" }));
        return;
      }
      var fs = el("fieldset", { "data-q": f.id, "data-t": f.type });
      fs.appendChild(el("legend", null, f.label));
      f.options.forEach(function (o, n) {
        var l = el("label"), i = el("input", { type: f.type === "single" ? "radio" : "checkbox", name: "f_" + f.id, value: o });
        l.appendChild(i);
        l.appendChild(document.createTextNode((f.labels || f.options)[n]));
        fs.appendChild(l);
      });
      more.appendChild(fs);
    });
    more.appendChild(el("button", { "class": "go", type: "submit" }, t.submit));
    body.appendChild(more);
    var live = el("p", { "class": "t", role: "status", "aria-live": "polite" });
    w.appendChild(live);

    function answers() {
      var out = {};
      [].forEach.call(more.querySelectorAll("[data-q]"), function (q) {
        var id = q.getAttribute("data-q");
        if (q.tagName === "TEXTAREA") { if (q.value.trim()) out[id] = q.value; return; }
        var chosen = [].map.call(q.querySelectorAll("input:checked"), function (i) { return i.value; });
        if (chosen.length) out[id] = q.getAttribute("data-t") === "single" ? chosen[0] : chosen;
      });
      return out;
    }
    function pick(v) {
      score = v;
      buttons.forEach(function (b) {
        var on = b.textContent === String(v);
        b.setAttribute("aria-checked", on ? "true" : "false");
        b.setAttribute("tabindex", on ? "0" : "-1");
      });
      post("answer", { token: token, score: v }).then(function (r) {
        if (r.ok) { answered = true; more.hidden = false; comment.focus(); }
        else if (r.status === 409 || r.status === 410) close(false);
      })["catch"](function () {});
    }
    more.onsubmit = function (e) {
      e.preventDefault();
      post("answer", { token: token, score: score, comment: comment.value, answers: answers() }).then(function (r) {
        body.hidden = true;
        live.textContent = r.ok ? r.thanks : (r.error || "");
        setTimeout(function () { close(false); }, 6000);
      })["catch"](function () {});
    };
    function close(dismissed) {
      if (!host.parentNode) return;
      if (dismissed && !answered) post("dismiss", { token: token })["catch"](function () {});
      host.parentNode.removeChild(host);
    }
    x.onclick = function () { close(true); };
    w.onkeydown = function (e) { if (e.key === "Escape") close(true); };
    root.appendChild(w);
    // Not focused on purpose: a survey must not steal focus from what the user is doing. It is
    // the last stop of the tab order, announced as a dialog, and Escape closes it.
    document.body.appendChild(host);
  }

  window.PulseSurvey = { event: function (name) { check(name); }, check: function () { check(""); } };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { check(""); });
  else check("");
})();
