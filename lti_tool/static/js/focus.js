// A page that answers a form with errors marks its error summary data-focus-on-load: focus it, so
// that keyboard and screen-reader users start there (the summary links to each field).
const target = document.querySelector("[data-focus-on-load]");
if (target) target.focus();
