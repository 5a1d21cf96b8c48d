/* Lindung's only script of its own (the Content-Security-Policy forbids inline scripts and
   inline event handlers): behaviour is declared with data attributes. */
(function () {
  "use strict";
  // <select data-autosubmit>: send its form when the choice changes (the <noscript> button
  // next to it does the same without JavaScript).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.submit();
    }
  });
  // <button data-print>: print the page.
  document.addEventListener("click", function (event) {
    var el = event.target && event.target.closest ? event.target.closest("[data-print]") : null;
    if (el) {
      event.preventDefault();
      window.print();
    }
  });
})();
