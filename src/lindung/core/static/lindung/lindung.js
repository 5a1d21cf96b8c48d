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
  // <fieldset data-shown-when="NAME" data-shown-prefix="PREFIX">: shown only while its form's
  // field NAME has a value starting with PREFIX (e.g. the JKK-only fields of a claim). Without
  // JavaScript the fieldset stays visible and the server ignores it for other values.
  function toggleShown(form) {
    var sets = form.querySelectorAll("fieldset[data-shown-when]");
    for (var i = 0; i < sets.length; i++) {
      var field = form.elements[sets[i].getAttribute("data-shown-when")];
      var prefix = sets[i].getAttribute("data-shown-prefix") || "";
      sets[i].hidden = !!field && String(field.value).indexOf(prefix) !== 0;
    }
  }
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.form && el.form.querySelector("fieldset[data-shown-when]")) {
      toggleShown(el.form);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var sets = document.querySelectorAll("fieldset[data-shown-when]");
    for (var i = 0; i < sets.length; i++) {
      if (sets[i].form) { toggleShown(sets[i].form); }
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
