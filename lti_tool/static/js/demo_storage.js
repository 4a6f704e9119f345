// The demo LMS's side of the tool's postMessages, from the tool's own origin only: platform storage
// (lti-pm-s, lti_storage_target "_parent": it keeps what the tool's frame puts and answers what it
// asks for), and lti.frameResize (the frame grows to fit the tool's page).
(function () {
  var el = document.getElementById("lms-storage");
  if (!el) return;
  var toolOrigin = el.getAttribute("data-tool-origin");
  var store = {};
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== toolOrigin || !data || !event.source) return;
    if (data.subject === "lti.frameResize" && typeof data.height === "number") {
      var frame = document.querySelector("iframe[name='tool-frame']");
      if (frame) frame.style.height = Math.max(400, Math.min(4000, Math.round(data.height) + 8)) + "px";
      return;
    }
    if (typeof data.key !== "string") return;
    if (data.subject === "lti.put_data") {
      store[data.key] = String(data.value);
      event.source.postMessage({subject: "lti.put_data.response", message_id: data.message_id,
                                key: data.key, value: store[data.key]}, event.origin);
    } else if (data.subject === "lti.get_data") {
      var answer = {subject: "lti.get_data.response", message_id: data.message_id, key: data.key};
      if (Object.prototype.hasOwnProperty.call(store, data.key)) answer.value = store[data.key];
      else answer.error = {code: "bad_request", message: "no such key"};
      event.source.postMessage(answer, event.origin);
    }
  });
})();
