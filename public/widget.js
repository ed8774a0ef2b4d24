/*
 * Switchboard embed loader.
 *
 *   <script src="https://HOST/widget.js" data-widget-key="KEY" async></script>
 *
 * Reads its own <script> tag for the widget key and the server's origin. The chat bubble and the
 * widget iframe it opens are added by the front-end work; until then the loader only checks its
 * configuration and says what it found, so a shop can already paste the snippet.
 */
(function () {
  "use strict";
  var script = document.currentScript ||
    document.querySelector("script[data-widget-key][src$='/widget.js']");
  if (!script) {
    return;
  }
  var key = script.getAttribute("data-widget-key");
  if (!key) {
    console.error("Switchboard: the widget <script> tag needs a data-widget-key attribute.");
    return;
  }
  var origin = new URL(script.src, window.location.href).origin;
  window.Switchboard = window.Switchboard || { widgetKey: key, origin: origin };
})();
