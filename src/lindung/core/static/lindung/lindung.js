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
  // Every table.table scrolls inside its own box (.table-wrap) instead of widening the page;
  // the box can be reached with the keyboard and is named after the table's caption or id.
  function wrapTables(root) {
    var tables = (root || document).querySelectorAll("table.table");
    for (var i = 0; i < tables.length; i++) {
      var t = tables[i];
      if (t.parentElement && t.parentElement.classList.contains("table-wrap")) { continue; }
      var box = document.createElement("div");
      box.className = "table-wrap";
      t.parentNode.insertBefore(box, t);
      box.appendChild(t);
      if (box.scrollWidth > box.clientWidth + 1) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        var cap = t.querySelector("caption");
        box.setAttribute("aria-label", cap ? cap.textContent.trim() : (t.getAttribute("aria-label") || document.title));
      }
    }
  }
  // <details class="fold" data-fold-narrow open>: a filter form open on a wide screen, folded on
  // a phone unless a filter is in use (then the reader sees what is filtered).
  function foldNarrow(root) {
    if (!window.matchMedia || !window.matchMedia("(max-width: 760px)").matches) { return; }
    var folds = (root || document).querySelectorAll("details[data-fold-narrow]");
    for (var i = 0; i < folds.length; i++) {
      if (!folds[i].hasAttribute("data-active")) { folds[i].open = false; }
    }
  }
  document.addEventListener("DOMContentLoaded", function () { wrapTables(); foldNarrow(); });
  document.addEventListener("htmx:afterSettle", function (event) { wrapTables(event.target); });
  // <button data-print>: print the page.
  document.addEventListener("click", function (event) {
    var el = event.target && event.target.closest ? event.target.closest("[data-print]") : null;
    if (el) {
      event.preventDefault();
      window.print();
    }
  });
})();
