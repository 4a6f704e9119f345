// LTI client-side platform storage (lti-cs-oidc, lti-pm-s): where the LMS offers it, the login leaves
// its secret in the LMS's storage frame instead of a cookie ("put"), and the launch reads it back and
// sends it with the id_token ("get"), so a launch completes inside the frame with every cookie blocked.
// Without an answer in time, the login goes on as usual (the cookie may work) and the launch offers
// a new window.
(function () {
  var el = document.getElementById("platform-storage");
  if (!el) return;
  var mode = el.getAttribute("data-mode"), target = el.getAttribute("data-target");
  var origin = el.getAttribute("data-origin"), key = el.getAttribute("data-key");
  var id = "vo-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
  var settled = false;

  function goOn() { location.replace(el.getAttribute("data-next")); }
  function giveUp() {
    if (settled) return;
    settled = true;
    if (mode === "put") goOn();
    else document.getElementById("storage-fallback").hidden = false;
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (settled || event.origin !== origin || !data || data.message_id !== id) return;
    if (mode === "put" && data.subject === "lti.put_data.response") {
      settled = true;
      goOn();
    } else if (mode === "get" && data.subject === "lti.get_data.response") {
      if (data.error || typeof data.value !== "string" || !data.value) return giveUp();
      settled = true;
      var form = document.getElementById("storage-form");
      form.elements["lti_storage_value"].value = data.value;
      form.submit();
    }
  });

  var frame = null;
  try {
    frame = target === "_parent" ? window.parent : window.parent.frames[target];
  } catch (e) { frame = null; }
  if (!frame || frame === window) return giveUp();
  var message = {subject: mode === "put" ? "lti.put_data" : "lti.get_data", message_id: id, key: key};
  if (mode === "put") message.value = el.getAttribute("data-value");
  frame.postMessage(message, origin);
  setTimeout(giveUp, 4000);
})();
