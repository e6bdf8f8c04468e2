/* The renewal board's drag-and-drop: dropping a card on another column POSTs its new stage
   (htmx.ajax, the same URL as the card's arrow buttons) and swaps the answered board in. */
(function () {
  var dragged = null;
  document.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest(".opp-card[draggable=true]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.opportunity);
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    document.querySelectorAll(".opp-col.drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
  });
  document.addEventListener("dragover", function (e) {
    var column = e.target.closest && e.target.closest(".opp-col");
    if (!column || !dragged) return;
    e.preventDefault();
    column.classList.add("drop-target");
  });
  document.addEventListener("dragleave", function (e) {
    var column = e.target.closest && e.target.closest(".opp-col");
    if (column && !column.contains(e.relatedTarget)) column.classList.remove("drop-target");
  });
  document.addEventListener("drop", function (e) {
    var column = e.target.closest && e.target.closest(".opp-col");
    if (!column || !dragged) return;
    e.preventDefault();
    var from = dragged.closest(".opp-col");
    if (from === column) return;
    var filters = document.querySelectorAll("#board-filters-post input");
    var values = { stage: column.dataset.stage };
    filters.forEach(function (input) { values[input.name] = input.value; });
    htmx.ajax("POST", dragged.dataset.moveUrl, { target: "#board", swap: "innerHTML", values: values, source: dragged });
  });
})();
