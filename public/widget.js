/*
 * Switchboard embed loader.
 *
 *   <script src="https://HOST/widget.js" data-widget-key="KEY" async></script>
 *
 * Adds the chat bubble to the page and the messenger in an iframe served by HOST, so that the
 * page's CSS and ours never meet: the bubble lives in a shadow root, the messenger in its own
 * document. The iframe loads hidden at once, so that the bubble can show an unread badge for
 * answers that arrive while the widget is closed. The two talk with postMessage, each checking
 * who the other is.
 *
 * For the team's side panel the loader also tells the messenger where the visitor is: the
 * page, its title and the other site they came from, again as they navigate (also in a
 * single-page shop), and that they are using the page (at most once a minute).
 *
 * A shop can say who its signed-in customer is, so that they find their conversations on any
 * device: on the tag (data-user-id, data-user-name, data-user-email, data-user-hash, the hash
 * being the hex HMAC-SHA256 of the id with the tenant's identity secret, computed on the
 * shop's server), or later with Switchboard.identify({userId, name, email, userHash}), and
 * Switchboard.identify(null) when they sign out. The server trusts it only when the hash is
 * right; the messenger hears it before anything else.
 */
(function () {
  "use strict";
  var script = document.currentScript ||
    document.querySelector("script[data-widget-key][src$='/widget.js']");
  if (!script || window.__switchboardWidget) {
    return;
  }
  var key = script.getAttribute("data-widget-key");
  if (!key) {
    console.error("Switchboard: the widget <script> tag needs a data-widget-key attribute.");
    return;
  }
  var origin = new URL(script.src, window.location.href).origin;
  window.__switchboardWidget = true;

  // The customer as the shop vouches for them, or null (anonymous). Only strings travel.
  function readIdentity(given) {
    if (!given || typeof given !== "object") {
      return null;
    }
    var text = function (value) {
      return typeof value === "string" && value.trim() !== "" ? value : undefined;
    };
    var identity = { userId: text(given.userId), userHash: text(given.userHash) };
    if (!identity.userId || !identity.userHash) {
      return null;
    }
    if (text(given.name)) {
      identity.name = given.name;
    }
    if (text(given.email)) {
      identity.email = given.email;
    }
    return identity;
  }
  var identity = readIdentity({
    userId: script.getAttribute("data-user-id"),
    name: script.getAttribute("data-user-name"),
    email: script.getAttribute("data-user-email"),
    userHash: script.getAttribute("data-user-hash")
  });

  var css = [
    ":host { all: initial; }",
    ".bubble { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;",
    "  width: 60px; height: 60px; border: 0; border-radius: 50%; cursor: pointer;",
    "  background: var(--sb-colour, #2f5bea); color: var(--sb-ink, #fff);",
    "  box-shadow: 0 6px 24px rgb(16 24 40 / 28%);",
    "  display: grid; place-items: center; transition: transform 120ms ease; }",
    ".bubble:hover { transform: scale(1.06); }",
    ".bubble:focus-visible { outline: 3px solid var(--sb-colour, #2f5bea); outline-offset: 3px; }",
    ".bubble svg { width: 28px; height: 28px; }",
    ".badge { position: absolute; top: -4px; right: -4px; min-width: 22px; height: 22px;",
    "  padding: 0 6px; border-radius: 11px; background: #e5484d; color: #fff;",
    "  font: 700 12px/22px system-ui, sans-serif; text-align: center; box-sizing: border-box; }",
    ".badge[hidden], .frame[hidden] { display: none; }",
    ".frame { position: fixed; right: 20px; bottom: 92px; z-index: 2147483000;",
    "  width: 380px; height: min(640px, calc(100vh - 120px)); border: 0; border-radius: 16px;",
    "  background: #fff; box-shadow: 0 12px 48px rgb(16 24 40 / 24%); }",
    ".left .bubble, .left .frame { right: auto; left: 20px; }",
    "@media (max-width: 480px) { .frame, .left .frame { right: 0; left: 0; bottom: 0; width: 100vw;",
    "  height: 100vh; border-radius: 0; } .open .bubble { display: none; } }"
  ].join("\n");
  var chatIcon = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" ' +
    'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M21 12a8 8 0 0 1-11.6 ' +
    '7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/></svg>';
  var closeIcon = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.4" ' +
    'stroke-linecap="round" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"/></svg>';

  var host = document.createElement("div");
  host.id = "switchboard-widget";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var style = document.createElement("style");
  style.textContent = css;
  var wrapper = document.createElement("div");
  var frame = document.createElement("iframe");
  frame.className = "frame";
  frame.title = "Chat";
  frame.hidden = true;
  frame.src = origin + "/widget/" + encodeURIComponent(key);
  var bubble = document.createElement("button");
  bubble.type = "button";
  bubble.className = "bubble";
  var icon = document.createElement("span");
  var badge = document.createElement("span");
  badge.className = "badge";
  badge.hidden = true;
  badge.setAttribute("aria-hidden", "true");
  bubble.appendChild(icon);
  bubble.appendChild(badge);
  wrapper.appendChild(frame);
  wrapper.appendChild(bubble);
  root.appendChild(style);
  root.appendChild(wrapper);

  var open = false;
  var unread = 0;

  function tell(type) {
    if (frame.contentWindow) {
      frame.contentWindow.postMessage({ source: "switchboard-host", type: type }, origin);
    }
  }

  function tellIdentity() {
    if (frame.contentWindow) {
      frame.contentWindow.postMessage({ source: "switchboard-host", type: "identity", identity: identity }, origin);
    }
  }

  // The shop's own page says who signed in (or out): the messenger follows at once.
  window.Switchboard = window.Switchboard || {};
  window.Switchboard.identify = function (given) {
    if (given !== null && given !== undefined && !readIdentity(given)) {
      console.error("Switchboard.identify needs {userId, userHash} (name and email are optional), or null.");
      return;
    }
    identity = readIdentity(given);
    tellIdentity();
  };

  // Another site's address only: the shop's own previous page is not where they came from.
  function externalReferrer() {
    try {
      var from = document.referrer && new URL(document.referrer);
      return from && from.origin !== window.location.origin ? from.href : "";
    } catch (e) {
      return "";
    }
  }

  var reported = "";
  function tellPage() {
    var page = window.location.href + "\n" + document.title;
    if (!frame.contentWindow || page === reported) {
      return;
    }
    reported = page;
    frame.contentWindow.postMessage({
      source: "switchboard-host", type: "page", url: window.location.href,
      title: document.title, referrer: externalReferrer()
    }, origin);
  }

  var ACTIVITY_EVERY_MS = 60000;
  var toldActiveAt = 0;
  function tellActive() {
    var now = Date.now();
    if (now - toldActiveAt >= ACTIVITY_EVERY_MS && !document.hidden) {
      toldActiveAt = now;
      tell("activity");
    }
  }

  // A single-page shop changes the address through the History API and the title after it.
  function followNavigation() {
    ["pushState", "replaceState"].forEach(function (name) {
      var original = window.history[name];
      if (typeof original !== "function") {
        return;
      }
      window.history[name] = function () {
        var result = original.apply(this, arguments);
        tellPage();
        return result;
      };
    });
    window.addEventListener("popstate", tellPage);
    window.addEventListener("hashchange", tellPage);
    var title = document.querySelector("title");
    if (title && window.MutationObserver) {
      new MutationObserver(tellPage).observe(title, { childList: true, characterData: true, subtree: true });
    }
    ["pointerdown", "keydown", "scroll", "mousemove", "touchstart"].forEach(function (kind) {
      window.addEventListener(kind, tellActive, { passive: true, capture: true });
    });
    document.addEventListener("visibilitychange", tellActive);
  }

  function render() {
    wrapper.classList.toggle("open", open);
    frame.hidden = !open;
    icon.innerHTML = open ? closeIcon : chatIcon;
    bubble.setAttribute("aria-expanded", open ? "true" : "false");
    var label = open ? "Close chat" : "Open chat";
    if (!open && unread > 0) {
      label += " (" + unread + " unread)";
    }
    bubble.setAttribute("aria-label", label);
    badge.textContent = unread > 9 ? "9+" : String(unread);
    badge.hidden = open || unread === 0;
  }

  function setOpen(value) {
    open = value;
    render();
    tell(open ? "open" : "close");
    if (open) {
      frame.focus();
    }
  }

  bubble.addEventListener("click", function () { setOpen(!open); });
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) {
      return;
    }
    var data = event.data || {};
    if (data.source !== "switchboard") {
      return;
    }
    if (data.type === "ready") {
      // Who the visitor is comes first: the messenger shows no conversation until it knows.
      tellIdentity();
      tell(open ? "open" : "close");
      reported = "";
      tellPage();
    } else if (data.type === "unread") {
      unread = Math.max(0, Number(data.count) || 0);
      render();
    } else if (data.type === "close") {
      setOpen(false);
      // Back where the visitor was: on the bubble that opens it again.
      bubble.focus();
    }
  });

  // The tenant's colour and corner, before the bubble shows (so it never flashes another
  // colour); Switchboard's own if they cannot be read.
  function dress(config) {
    var look = config && config.look;
    if (look) {
      wrapper.style.setProperty("--sb-colour", look.colour);
      wrapper.style.setProperty("--sb-ink", look.onColour);
      wrapper.classList.toggle("left", look.launcher === "left");
    }
  }

  render();
  followNavigation();
  function mount() { document.body.appendChild(host); }
  function mountWhenReady() {
    if (document.body) {
      mount();
    } else {
      document.addEventListener("DOMContentLoaded", mount);
    }
  }
  fetch(origin + "/api/v1/chat/public/widget/" + encodeURIComponent(key))
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(dress, function () {})
    .then(mountWhenReady);
})();
