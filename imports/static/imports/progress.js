// An import's progress: while its page is open, ask for the next slice of analysis or writing
// until none is left, then show the page again. Without this script the "Continue" button does
// the same one slice at a time.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-import-step]");
    if (!box) {
      return;
    }
    var url = box.getAttribute("data-import-step");
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-progress-text]");
    var failure = box.querySelector("[data-progress-error]");
    var token = box.querySelector("input[name=csrfmiddlewaretoken]");
    var button = box.querySelector("[data-progress-continue]");
    if (!token) {
      return; // a reader who may not import: nothing to drive
    }
    if (button) {
      button.disabled = true;
    }
    function step() {
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token.value, Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().then(function (body) {
            return { ok: response.ok, body: body };
          });
        })
        .then(function (result) {
          if (!result.ok) {
            throw new Error(result.body.detail || result.body.code);
          }
          bar.max = result.body.total;
          bar.value = result.body.done;
          text.textContent = result.body.done + " / " + result.body.total;
          if (result.body.running) {
            step();
          } else {
            window.location.reload();
          }
        })
        .catch(function (error) {
          failure.textContent = String(error.message || error);
          failure.hidden = false;
          if (button) {
            button.disabled = false;
          }
        });
    }
    step();
  });
})();
