/* 拉练: the park list filtered as one types (name or district); chosen parks always stay listed. */
(function () {
  "use strict";
  document.querySelectorAll("[data-picker]").forEach(function (picker) {
    var filter = picker.querySelector("[data-picker-filter]");
    var count = picker.querySelector("[data-picker-count]");
    var empty = picker.querySelector("[data-picker-empty]");
    var items = Array.prototype.slice.call(picker.querySelectorAll(".park-picker-list label")).map(function (label) {
      return { row: label.parentElement, box: label.querySelector("input"), text: label.textContent.toLowerCase() };
    });

    function update() {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      var chosen = 0;
      items.forEach(function (item) {
        var match = words.every(function (w) { return item.text.indexOf(w) !== -1; });
        var visible = match || item.box.checked;
        item.row.hidden = !visible;
        if (visible) { shown += 1; }
        if (item.box.checked) { chosen += 1; }
      });
      count.textContent = picker.dataset.textCount.replace("{chosen}", chosen).replace("{shown}", shown);
      empty.hidden = shown !== 0;
      picker.dataset.shown = String(shown);
    }

    filter.addEventListener("input", update);
    // Enter in the filter narrows the list; it does not submit the form half-chosen.
    filter.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); } });
    picker.addEventListener("change", update);
    update();
  });
})();
