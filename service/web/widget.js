/* ragqa widget: embeds the ragqa chat on any page with one tag.
 *
 *   <script src="https://ragqa.example.com/widget.js"
 *           data-api-base="https://ragqa.example.com"   (default: where widget.js came from)
 *           data-title="Ask our documents"               (default: "Ask the documents")
 *           data-api-key="…"                             (only when the API needs a key)
 *           data-api-key-header="Authorization"          (default; sent as "Bearer <key>")
 *           data-open="true"                             (start opened)
 *           data-launcher-label="Ask a question"
 *           defer></script>
 *
 * The chat lives in a shadow root, so the host page's CSS does not leak in or out. It loads
 * app.js and styles.css from the same folder as widget.js (override with data-assets-base).
 * The API must allow the host page's origin (RAG_CORS_ORIGINS). A key written into a public
 * page is readable by every visitor: use one that only identifies the site, not a secret.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || script.getAttribute("data-ragqa-loaded")) {
    return;
  }
  script.setAttribute("data-ragqa-loaded", "true");

  function attr(name, fallback) {
    var value = script.getAttribute("data-" + name);
    return value === null || value === "" ? fallback : value;
  }

  var scriptUrl = new URL(script.src, document.baseURI);
  var assetsBase = new URL(attr("assets-base", "./"), scriptUrl).href;
  var config = {
    apiBase: attr("api-base", scriptUrl.origin),
    title: attr("title", "Ask the documents"),
    apiKey: attr("api-key", null),
    apiKeyHeader: attr("api-key-header", "Authorization"),
    open: attr("open", "false") === "true",
    launcherLabel: attr("launcher-label", "Ask a question"),
  };

  function start() {
    var host = document.createElement("div");
    host.setAttribute("data-ragqa-widget", "");
    host.hidden = true; // shown once its stylesheet has loaded
    var shadow = host.attachShadow({ mode: "open" });

    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL("styles.css", assetsBase).href;
    shadow.appendChild(link);

    var root = document.createElement("div");
    root.className = "ragqa rq-widget";
    var panel = document.createElement("div");
    panel.className = "rq-widget-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", config.title);
    var launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "rq-launcher";
    launcher.textContent = config.launcherLabel;
    launcher.setAttribute("aria-expanded", "false");
    root.appendChild(panel);
    root.appendChild(launcher);
    shadow.appendChild(root);
    document.body.appendChild(host);

    var chat = null;

    function setOpen(open) {
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", open ? "true" : "false");
      launcher.textContent = open ? "Close" : config.launcherLabel;
      launcher.setAttribute("aria-label", open ? "Close the chat" : config.launcherLabel);
      if (open && chat) {
        chat.focus();
      } else if (!open) {
        launcher.focus();
      }
    }

    function ensureChat() {
      if (!chat) {
        chat = window.RagqaChat.mount(panel, {
          apiBase: config.apiBase,
          title: config.title,
          apiKey: config.apiKey,
          apiKeyHeader: config.apiKeyHeader,
          onClose: function () {
            setOpen(false);
          },
        });
      }
    }

    launcher.addEventListener("click", function () {
      ensureChat();
      setOpen(panel.hidden);
    });
    shadow.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !panel.hidden && !event.defaultPrevented) {
        var dialog = shadow.querySelector("dialog[open]");
        if (!dialog) {
          setOpen(false);
        }
      }
    });

    var ready = 0;
    function part() {
      ready += 1;
      if (ready === 2) {
        host.hidden = false;
        host.setAttribute("data-ready", "true");
        if (config.open) {
          ensureChat();
          setOpen(true);
        }
      }
    }
    link.addEventListener("load", part);
    link.addEventListener("error", part);

    if (window.RagqaChat) {
      part();
    } else {
      var code = document.createElement("script");
      code.src = new URL("app.js", assetsBase).href;
      code.async = true;
      code.addEventListener("load", part);
      code.addEventListener("error", function () {
        host.hidden = false;
        launcher.disabled = true;
        launcher.textContent = "Chat unavailable";
      });
      document.head.appendChild(code);
    }
  }

  if (document.body) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
