// The error summary at the top of a form (templates/partials/error_summary.html), after the
// GOV.UK pattern: it takes focus when the page loads, so that a screen reader reads it out and
// the keyboard starts from it; each of its links moves focus to the field it names, with the
// field's question (its label, or the legend of a group of radios) scrolled into view.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", (event) => {
    const link = event.target.closest('a[href^="#"]');
    const control = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!control) {
      return;
    }
    event.preventDefault();
    const inGroup = control.type === "radio" || control.type === "checkbox";
    const legend = inGroup && control.closest("fieldset") && control.closest("fieldset").querySelector("legend");
    const label = control.labels && control.labels[0];
    (legend || label || control).scrollIntoView();
    control.focus({ preventScroll: true });
  });
});
