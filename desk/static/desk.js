// The editor's keyboard and safety: Ctrl-S (Cmd-S) saves, leaving with unsaved changes asks
// first, a new article's slug follows its headline until edited, and Enter in a search box of a
// picker searches rather than saving. Loaded from the desk's own files: the policy runs no
// inline script.
(function () {
  "use strict";

  function slugFor(text) {
    return text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 200)
      .replace(/-+$/g, "");
  }

  function start() {
    var form = document.querySelector("form[data-editor]");
    if (!form) return;
    var dirty = false;
    var saving = false;

    form.addEventListener("input", function (event) {
      if (event.target.hasAttribute("data-picker")) return;
      dirty = true;
    });
    form.addEventListener("change", function (event) {
      if (event.target.type === "checkbox" || event.target.type === "radio") dirty = true;
    });
    form.addEventListener("submit", function () {
      saving = true;
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !saving) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target.hasAttribute("data-picker")) {
        event.preventDefault();
      }
    });

    // The body's toolbar: each button inserts its directive (docs/editors/blocks.md) on lines of
    // its own at the cursor, then tells htmx the body changed, so that the preview follows.
    var body = form.querySelector("#body");
    form.querySelectorAll("button[data-insert]").forEach(function (button) {
      button.addEventListener("click", function () {
        var text = button.getAttribute("data-insert");
        var before = body.value.slice(0, body.selectionStart);
        var after = body.value.slice(body.selectionEnd);
        var lead = before === "" || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
        var inserted = lead + text + "\n\n";
        body.value = before + inserted + after;
        var at = before.length + inserted.length;
        body.setSelectionRange(at, at);
        body.focus();
        body.dispatchEvent(new Event("input", { bubbles: true }));
      });
    });

    var headline = form.querySelector("#headline");
    var slug = form.querySelector("input[data-suggest]");
    if (headline && slug) {
      var suggested = slug.value === "";
      slug.addEventListener("input", function () {
        suggested = slug.value === "";
      });
      headline.addEventListener("input", function () {
        if (suggested) slug.value = slugFor(headline.value);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
