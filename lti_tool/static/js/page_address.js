// A page that answers another address's request (the launch's POST answers with the first page)
// takes its own address in the browser's history: reloading it then reloads the page instead of
// posting the launch again, which the tool would refuse as used. A reporting page takes a neutral
// address the same way (the blank form or "My reports"), so no history entry names a report.
(function () {
  var meta = document.querySelector('meta[name="vo-page-address"]');
  if (meta && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", meta.getAttribute("content"));
  }
})();
