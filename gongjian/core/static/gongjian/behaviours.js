/* Small page behaviours bound by data attributes, because the Content-Security-Policy allows no
   inline script or event handler:
   - data-autosubmit on a <select>: submit its form when the choice changes;
   - data-check-all="SELECTOR" on a checkbox: tick or untick every box the selector matches. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    if (target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
    var selector = target.getAttribute("data-check-all");
    if (selector) {
      document.querySelectorAll(selector).forEach(function (box) { box.checked = target.checked; });
    }
  });
})();
