// Progressive enhancement for the dashboard. Every form works without this file.
(function () {
  "use strict";

  // The workspace switcher submits itself when a workspace is picked.
  function enhanceSwitchers() {
    document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      var select = form.querySelector("select");
      var button = form.querySelector("button[type=submit]");
      if (!select) return;
      if (button) button.hidden = true;
      select.addEventListener("change", function () {
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      });
    });
  }

  function renderMilestone(form, done) {
    var item = form.closest(".milestone");
    var next = form.querySelector("input[name=done]");
    var button = form.querySelector("button");
    var label = button && button.querySelector("[data-action]");
    if (item) item.classList.toggle("done", done);
    if (next) next.value = done ? "false" : "true";
    if (label) label.textContent = done ? "Reopen" : "Mark done";
  }

  // Ticking a milestone off posts in the background; on any failure the form posts normally,
  // so the server's answer (a message, a 403 page) is what the person sees.
  function enhanceMilestones() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches("form[data-milestone-toggle]") || !window.fetch) return;
      event.preventDefault();
      var button = form.querySelector("button");
      if (button) button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          renderMilestone(form, Boolean(data.done));
          if (button) button.disabled = false;
        })
        .catch(function () {
          form.submit();
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhanceSwitchers();
    enhanceMilestones();
  });
})();

// The AI panel's "Summarizing…" state asks the page's job status endpoint until the job ends,
// then reloads the page; without this, the panel's "Check again" link does it by hand.
(function () {
  "use strict";
  var INTERVAL_MS = 2000;
  var MAX_TRIES = 150;

  function poll(panel, tries) {
    fetch(panel.getAttribute("data-ai-job"), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (job) {
        if (job.done) window.location.reload();
        else if (tries < MAX_TRIES) window.setTimeout(poll, INTERVAL_MS, panel, tries + 1);
      })
      .catch(function () {});
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.fetch) return;
    document.querySelectorAll("[data-ai-job]").forEach(function (panel) {
      window.setTimeout(poll, INTERVAL_MS, panel, 1);
    });
  });
})();
