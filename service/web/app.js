/* ragqa chat: streams grounded answers from POST /v1/ask/stream and shows their sources.
 *
 * Used by the page (GET /, auto-mounted on [data-ragqa-page]) and by the widget
 * (GET /widget.js, mounted inside a shadow root). Everything that comes from the model or a
 * document is inserted as text (createTextNode / textContent), never parsed as HTML.
 */
(function () {
  "use strict";

  if (window.RagqaChat) {
    return;
  }

  var THEME_KEY = "ragqa-theme";
  var KEY_STORE = "ragqa-api-key";
  var MAX_TURNS = 20; // the API accepts at most 20 history turns
  var MAX_TURN_CHARS = 8000; // ... of at most 8000 characters each
  var uid = 0;

  // ---- small DOM helpers (text only) ---------------------------------------------------
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) {
          return;
        }
        if (name === "text") {
          el.textContent = String(value);
        } else if (name === "hidden") {
          el.hidden = true;
        } else {
          el.setAttribute(name, value === true ? "" : String(value));
        }
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      append(el, arguments[i]);
    }
    return el;
  }

  function append(el, child) {
    if (child === null || child === undefined || child === false) {
      return;
    }
    if (Array.isArray(child)) {
      child.forEach(function (c) {
        append(el, c);
      });
    } else if (typeof child === "string" || typeof child === "number") {
      el.appendChild(document.createTextNode(String(child)));
    } else {
      el.appendChild(child);
    }
  }

  function clear(el) {
    while (el.firstChild) {
      el.removeChild(el.firstChild);
    }
  }

  function nextId(prefix) {
    uid += 1;
    return "rq-" + prefix + "-" + uid;
  }

  function truncate(text, limit) {
    text = String(text || "").replace(/\s+/g, " ").trim();
    return text.length > limit ? text.slice(0, limit - 1).trimEnd() + "…" : text;
  }

  /* Offsets in the answer object are Python string indices (code points); JavaScript
     strings index UTF-16 code units. Convert, so characters beyond U+FFFF don't shift the
     highlight. */
  function codePointToIndex(text, cp) {
    if (!/[\uD800-\uDFFF]/.test(text)) {
      return Math.min(cp, text.length);
    }
    var i = 0;
    var n = 0;
    while (n < cp && i < text.length) {
      var c = text.charCodeAt(i);
      i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
      n += 1;
    }
    return i;
  }

  /* Where a citation's quote lies in the document text, as UTF-16 [start, end), or null. */
  function locateQuote(text, citation) {
    var start = codePointToIndex(text, Number(citation.start) || 0);
    var end = codePointToIndex(text, Number(citation.end) || 0);
    if (end > start && (!citation.quote || text.slice(start, end) === citation.quote)) {
      return [start, end];
    }
    if (citation.quote) {
      var at = text.indexOf(citation.quote);
      if (at >= 0) {
        return [at, at + citation.quote.length];
      }
    }
    return null;
  }

  /* Where a document's body begins: after a leading `date YYYY-MM-DD` header line (the same
     rule as ingest), and the blank space after it. Offsets stay those of the full text. */
  function bodyStart(text) {
    var header = /^\s*date[ \t]*:?[ \t]+\d{4}-\d{2}-\d{2}\b[ \t]*\n?/.exec(text);
    var at = header ? header[0].length : 0;
    while (at < text.length && /\s/.test(text.charAt(at))) {
      at += 1;
    }
    return at;
  }

  /* A document's name for people: its title, or (when it has none, so the title is its id)
     the id made readable: "article-2023-03-25" → "Article 2023-03-25". */
  function displayTitle(doc) {
    var title = String((doc && doc.title) || (doc && doc.doc_id) || "");
    if (doc && doc.doc_id && title === doc.doc_id) {
      title = title.replace(/[_-]+(?!\d{2}(?:\D|$))/g, " ").trim();
      title = title.charAt(0).toUpperCase() + title.slice(1);
    }
    return title;
  }

  /* A quote in quotation marks, unless it already begins with one. */
  function quoted(text) {
    return /^["“‘«']/.test(text) ? text : "“" + text + "”";
  }

  // ---- Server-Sent Events over fetch ----------------------------------------------------
  /* Calls onEvent(name, data) for each event of a text/event-stream response body. */
  // Words that do not change what a question asks: a rewrite that only adds these (or a
  // rewrite carrying role labels or prompt text) is not shown as "understood as".
  var FILLER = /^(a|an|the|and|but|so|also|then|of|to|in|on|at|for|with|is|are|was|were|do|does|did|context)$/;
  var LEAKED = /\b(user|assistant|system|rewritten question|last question|question|conversation)\s*:|\(context\b/i;

  function contentWords(text) {
    return String(text)
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s]/gu, " ")
      .split(/\s+/)
      .filter(function (w) {
        return w && !FILLER.test(w);
      });
  }

  function understoodAs(question, rewritten) {
    if (!rewritten || LEAKED.test(rewritten)) {
      return null;
    }
    var own = {};
    contentWords(question).forEach(function (w) {
      own[w] = true;
    });
    var added = contentWords(rewritten).filter(function (w) {
      return !own[w];
    });
    return added.length ? rewritten : null;
  }

  function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";

    function dispatch(block) {
      var name = "message";
      var data = [];
      block.split("\n").forEach(function (line) {
        if (!line || line.charAt(0) === ":") {
          return;
        }
        var colon = line.indexOf(":");
        var field = colon < 0 ? line : line.slice(0, colon);
        var value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.charAt(0) === " ") {
          value = value.slice(1);
        }
        if (field === "event") {
          name = value;
        } else if (field === "data") {
          data.push(value);
        }
      });
      if (data.length) {
        onEvent(name, data.join("\n"));
      }
    }

    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) {
          buffer += decoder.decode();
          if (buffer.trim()) {
            dispatch(buffer.replace(/\r\n?/g, "\n"));
          }
          return;
        }
        buffer += decoder.decode(chunk.value, { stream: true });
        buffer = buffer.replace(/\r\n?/g, "\n");
        var cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          var block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          dispatch(block);
        }
        return pump();
      });
    }

    return pump();
  }

  function parseJSON(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      return null;
    }
  }

  function retryAfterSeconds(response) {
    var value = response.headers.get("Retry-After");
    if (!value) {
      return null;
    }
    var seconds = Number(value);
    if (!isNaN(seconds)) {
      return Math.max(0, Math.ceil(seconds));
    }
    var date = Date.parse(value);
    return isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
  }

  /* A person-readable description of a failed response. */
  function describeFailure(status, body, retryAfter) {
    var serverMessage = body && body.error && body.error.message ? String(body.error.message) : "";
    var wait = retryAfter !== null && retryAfter !== undefined ? retryAfter : null;
    if (status === 429) {
      return {
        title: "Too many questions",
        message: "The server is limiting how often questions can be asked.",
        retry: true,
        wait: wait === null ? 5 : wait,
      };
    }
    if (status === 503) {
      return {
        title: "Service unavailable",
        message:
          "The answering service is busy or still starting up" +
          (serverMessage ? " (" + serverMessage + ")" : "") +
          ".",
        retry: true,
        wait: wait === null ? 0 : wait,
      };
    }
    if (status === 401 || status === 403) {
      return {
        title: "API key needed",
        message: "The server did not accept the request: its API key is missing or wrong.",
        retry: false,
        needsKey: true,
      };
    }
    if (status === 413) {
      return {
        title: "Question too long",
        message: serverMessage || "The question or conversation is too long. Shorten it and ask again.",
        retry: false,
      };
    }
    if (status === 422 || status === 400) {
      return {
        title: "Question not accepted",
        message: serverMessage || "The server could not accept this question.",
        retry: false,
      };
    }
    if (status >= 500) {
      return {
        title: "Server error",
        message: serverMessage || "The server could not answer (HTTP " + status + ").",
        retry: true,
        wait: 0,
      };
    }
    return {
      title: "Request failed",
      message: serverMessage || "The server answered with HTTP " + status + ".",
      retry: false,
    };
  }

  // ---- theme ----------------------------------------------------------------------------
  function storedTheme() {
    try {
      var value = window.localStorage.getItem(THEME_KEY);
      return value === "dark" || value === "light" ? value : null;
    } catch (e) {
      return null;
    }
  }

  function systemTheme() {
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches
      ? "dark"
      : "light";
  }

  // ---- the chat ---------------------------------------------------------------------------
  /* Build the chat inside `container`. Options: apiBase, title, apiKey, apiKeyHeader,
     page (true on GET /), onClose (widget). */
  function mount(container, options) {
    options = options || {};
    var apiBase = String(options.apiBase || "").replace(/\/+$/, "");
    var title = options.title || "Ask the documents";
    var apiKeyHeader = options.apiKeyHeader || "Authorization";
    var apiKey = options.apiKey || null;
    if (!apiKey && options.page) {
      try {
        apiKey = window.sessionStorage.getItem(KEY_STORE);
      } catch (e) {
        apiKey = null;
      }
    }

    var history = [];
    var busy = null; // {controller, stopped} while a question is in flight
    var documents = {}; // doc_id -> Promise of the document
    var titles = {}; // doc_id -> title people read (from GET /v1/documents)
    var lastOpener = null;

    var ids = {
      title: nextId("title"),
      input: nextId("input"),
      hint: nextId("hint"),
      panelTitle: nextId("panel-title"),
    };

    // Header
    var themeButton = h(
      "button",
      { type: "button", class: "rq-icon-button rq-theme" },
      h("span", { class: "rq-glyph", "aria-hidden": "true" }),
      h("span", { class: "rq-theme-text" })
    );
    var header = h(
      "header",
      { class: "rq-header" },
      h(
        "div",
        { class: "rq-heading" },
        h(options.page ? "h1" : "h2", { class: "rq-title", id: ids.title, text: title }),
        h("p", { class: "rq-subtitle", text: "Answers quoted from the documents" })
      ),
      themeButton
    );
    var closeWidget = null;
    if (options.onClose) {
      closeWidget = h(
        "button",
        { type: "button", class: "rq-icon-button rq-close", "aria-label": "Close chat" },
        h("span", { class: "rq-glyph", "aria-hidden": "true", text: "×" })
      );
      closeWidget.addEventListener("click", options.onClose);
      header.appendChild(closeWidget);
    }

    // Conversation
    var topics = h("div", { class: "rq-topics" });
    var empty = h(
      "div",
      { class: "rq-empty" },
      h("p", { text: "Ask a question about the documents." }),
      h("p", { text: "Every answer cites the passages it comes from." }),
      topics
    );
    var log = h(
      "div",
      { class: "rq-log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" },
      empty
    );
    var status = h("div", { class: "rq-status", role: "status", "aria-live": "polite" });

    // Question form
    var input = h("textarea", {
      class: "rq-input",
      id: ids.input,
      rows: "1",
      maxlength: "2000",
      placeholder: "Ask a question…",
      "aria-describedby": ids.hint,
      autocomplete: "off",
    });
    var send = h("button", { type: "submit", class: "rq-button rq-send", text: "Send" });
    var stop = h("button", {
      type: "button",
      class: "rq-button rq-stop",
      hidden: true,
      text: "Stop",
      "aria-label": "Stop answering",
    });
    var form = h(
      "form",
      { class: "rq-form", "aria-label": "Ask a question" },
      h("label", { class: "rq-visually-hidden", for: ids.input, text: "Your question" }),
      input,
      h("div", { class: "rq-form-buttons" }, send, stop),
      h("p", { class: "rq-hint", id: ids.hint, text: "Enter to send · Shift+Enter for a new line" })
    );

    // Source panel
    var panelTitle = h("h2", { class: "rq-panel-title", id: ids.panelTitle, tabindex: "-1", text: "Source" });
    var panelClose = h(
      "button",
      { type: "button", class: "rq-icon-button", "aria-label": "Close source" },
      h("span", { class: "rq-glyph", "aria-hidden": "true", text: "×" })
    );
    var panelInfo = h("p", { class: "rq-panel-info", role: "status" });
    var panelDoc = h("div", { class: "rq-doc", tabindex: "0", role: "document", "aria-label": "Document text" });
    var panel = h(
      "dialog",
      { class: "rq-panel", "aria-labelledby": ids.panelTitle },
      h("div", { class: "rq-panel-header" }, panelTitle, panelClose),
      panelInfo,
      panelDoc
    );

    var chat = h("section", { class: "rq-chat", "aria-labelledby": ids.title }, header, log, status, form, panel);
    var themed = container.closest ? container.closest(".ragqa") || container : container;
    container.appendChild(chat);

    // ---- theme -----------------------------------------------------------------------
    var theme = storedTheme() || systemTheme();
    function applyTheme(value) {
      theme = value;
      themed.setAttribute("data-theme", value);
      if (options.page) {
        document.documentElement.classList.toggle("rq-dark", value === "dark");
      }
      var other = value === "dark" ? "light" : "dark";
      themeButton.setAttribute("aria-label", "Switch to " + other + " theme");
      themeButton.setAttribute("title", "Switch to " + other + " theme");
      themeButton.querySelector(".rq-glyph").textContent = value === "dark" ? "☀" : "☾";
      themeButton.querySelector(".rq-theme-text").textContent = other === "dark" ? "Dark" : "Light";
    }
    applyTheme(theme);
    themeButton.addEventListener("click", function () {
      applyTheme(theme === "dark" ? "light" : "dark");
      try {
        window.localStorage.setItem(THEME_KEY, theme);
      } catch (e) {
        /* storage unavailable: the choice lasts for this page view */
      }
    });
    if (window.matchMedia) {
      var query = window.matchMedia("(prefers-color-scheme: dark)");
      var onSystem = function () {
        if (!storedTheme()) {
          applyTheme(systemTheme());
        }
      };
      if (query.addEventListener) {
        query.addEventListener("change", onSystem);
      }
    }

    // ---- requests --------------------------------------------------------------------
    function headers(extra) {
      var result = extra || {};
      if (apiKey) {
        result[apiKeyHeader] =
          apiKeyHeader.toLowerCase() === "authorization" && !/^bearer /i.test(apiKey)
            ? "Bearer " + apiKey
            : apiKey;
      }
      return result;
    }

    function announce(text) {
      status.textContent = text;
    }

    function scrollToEnd() {
      log.scrollTop = log.scrollHeight;
    }

    function setBusy(value) {
      busy = value;
      send.hidden = !!value;
      stop.hidden = !value;
      log.setAttribute("aria-busy", value ? "true" : "false");
    }

    function autoGrow() {
      input.rows = 1;
      var lines = Math.min(6, input.value.split("\n").length);
      input.rows = Math.max(1, lines);
    }

    // ---- rendering -------------------------------------------------------------------
    function userMessage(text) {
      return h(
        "article",
        { class: "rq-msg rq-msg-user", "aria-label": "You asked" },
        h("p", { class: "rq-text", text: text })
      );
    }

    function chip(citation, onOpen) {
      var button = h("button", {
        type: "button",
        class: "rq-chip",
        "data-citation": citation.id,
        "data-doc-id": citation.doc_id,
        "aria-label": "Source " + citation.id + ": " + titleOf(citation.doc_id),
        title: truncate(citation.quote, 160),
        text: String(citation.id),
      });
      button.addEventListener("click", function () {
        onOpen(citation, button);
      });
      return button;
    }

    /* The answer text with each [n] marker turned into a chip right where it stands. */
    function answerText(text, byId) {
      var p = h("p", { class: "rq-text" });
      var used = {};
      var pattern = /\[(\d+(?:\s*[,;]\s*\d+)*)\]/g;
      var at = 0;
      var match;
      while ((match = pattern.exec(text)) !== null) {
        var numbers = match[1].split(/\s*[,;]\s*/);
        var known = numbers.every(function (n) {
          return byId[n];
        });
        if (!known) {
          continue;
        }
        append(p, text.slice(at, match.index));
        numbers.forEach(function (n) {
          p.appendChild(chip(byId[n], openSource));
          used[n] = true;
        });
        at = match.index + match[0].length;
      }
      append(p, text.slice(at));
      return { node: p, used: used };
    }

    function sourceList(citations, heading) {
      var list = h("ul", { class: "rq-sources", "aria-label": heading });
      citations.forEach(function (citation) {
        var button = h(
          "button",
          {
            type: "button",
            class: "rq-source",
            "data-citation": citation.id,
            "aria-label": "Open source " + citation.id + " in " + titleOf(citation.doc_id),
          },
          h("span", { class: "rq-chip", "aria-hidden": "true", text: String(citation.id) }),
          h(
            "span",
            { class: "rq-source-body" },
            h("span", { class: "rq-source-doc", text: titleOf(citation.doc_id) }),
            h("span", { class: "rq-source-quote", text: quoted(truncate(citation.quote, 180)) })
          )
        );
        button.addEventListener("click", function () {
          openSource(citation, button);
        });
        list.appendChild(h("li", null, button));
      });
      return list;
    }

    function renderAnswer(bubble, answer) {
      clear(bubble);
      bubble.classList.remove("rq-streaming");
      var citations = Array.isArray(answer.citations) ? answer.citations : [];
      var byId = {};
      citations.forEach(function (c) {
        byId[String(c.id)] = c;
      });
      if (answer.answerable === false) {
        bubble.classList.add("rq-msg-refusal");
        bubble.setAttribute("aria-label", "No answer found");
        bubble.appendChild(
          h(
            "p",
            { class: "rq-label" },
            h("span", { "aria-hidden": "true", text: "⚠" }),
            "Not found in the documents"
          )
        );
      } else {
        bubble.classList.add("rq-msg-answer");
        bubble.setAttribute("aria-label", "Answer");
        bubble.appendChild(h("p", { class: "rq-label", text: "Answer" }));
      }
      var rendered = answerText(String(answer.answer || ""), byId);
      bubble.appendChild(rendered.node);
      if (citations.length) {
        bubble.appendChild(h("p", { class: "rq-sources-title", text: "Sources" }));
        bubble.appendChild(sourceList(citations, "Sources"));
      }
      var related = answer.answerable === false && Array.isArray(answer.related) ? answer.related : [];
      if (related.length) {
        bubble.appendChild(h("p", { class: "rq-sources-title", text: "Related passages (they do not answer the question)" }));
        bubble.appendChild(sourceList(related.slice(0, 3), "Related passages"));
      }
      var meta = [];
      if (answer.provider) {
        meta.push(answer.provider + (answer.model ? " · " + answer.model : ""));
      }
      if (answer.timing_ms && typeof answer.timing_ms.total === "number") {
        meta.push(Math.round(answer.timing_ms.total) + " ms");
      }
      var understood = understoodAs(answer.question || "", answer.rewritten_question);
      if (understood) {
        meta.push("understood as: " + understood);
      }
      if (meta.length) {
        bubble.appendChild(h("p", { class: "rq-meta", text: meta.join(" · ") }));
      }
    }

    function renderError(bubble, failure, retry) {
      clear(bubble);
      bubble.className = "rq-msg rq-msg-bot rq-msg-error";
      bubble.setAttribute("aria-label", "Error");
      bubble.setAttribute("role", "alert");
      bubble.appendChild(h("p", { class: "rq-label", text: failure.title }));
      var message = h("p", { class: "rq-text rq-error-message", text: failure.message });
      bubble.appendChild(message);
      var actions = h("div", { class: "rq-actions" });
      if (failure.needsKey) {
        var keyId = nextId("key");
        var keyInput = h("input", { id: keyId, type: "password", autocomplete: "off", class: "rq-key" });
        var useKey = h("button", { type: "submit", class: "rq-button", text: "Use key and retry" });
        var keyForm = h(
          "form",
          { class: "rq-key-form", "aria-label": "Enter an API key" },
          h("label", { for: keyId, text: "API key" }),
          keyInput,
          useKey
        );
        keyForm.addEventListener("submit", function (event) {
          event.preventDefault();
          if (!keyInput.value.trim()) {
            keyInput.focus();
            return;
          }
          apiKey = keyInput.value.trim();
          if (options.page) {
            try {
              window.sessionStorage.setItem(KEY_STORE, apiKey);
            } catch (e) {
              /* keep it in memory only */
            }
          }
          retry(bubble);
        });
        bubble.appendChild(keyForm);
      }
      if (failure.retry) {
        var again = h("button", { type: "button", class: "rq-button rq-retry", text: "Retry" });
        again.addEventListener("click", function () {
          if (!again.disabled) {
            retry(bubble);
          }
        });
        actions.appendChild(again);
        bubble.appendChild(actions);
        var wait = failure.wait || 0;
        if (wait > 0) {
          // Retry-After: the button waits, and a line says for how long.
          var note = h("p", { class: "rq-wait" });
          bubble.insertBefore(note, actions);
          again.disabled = true;
          var tick = function () {
            if (!again.isConnected) {
              return;
            }
            if (wait <= 0) {
              again.disabled = false;
              again.textContent = "Retry";
              note.textContent = "You can try again now.";
              return;
            }
            note.textContent = "You can try again in " + wait + " s.";
            again.textContent = "Retry in " + wait + " s";
            wait -= 1;
            window.setTimeout(tick, 1000);
          };
          tick();
        }
      }
      announce(
        failure.title +
          ". " +
          failure.message +
          (failure.retry && failure.wait > 0 ? " You can try again in " + failure.wait + " s." : "")
      );
    }

    /* Why a request failed without a response. A browser reports a CORS refusal exactly like
       a network failure, so when the API is on another origin, a plain `no-cors` request
       tells them apart: it succeeds when the server is up (it just does not allow this
       page's origin). */
    function unreachable() {
      var offline = {
        title: "Cannot reach the server",
        message: "The question could not be sent. Check the connection and try again.",
        retry: true,
        wait: 0,
      };
      var target;
      try {
        target = new URL(apiBase || "/", window.location.href);
      } catch (e) {
        return Promise.resolve(offline);
      }
      if (target.origin === window.location.origin) {
        return Promise.resolve(offline);
      }
      // A static file: API responses may not be readable cross-site at all (their
      // Cross-Origin-Resource-Policy), which would look like a failure again.
      return fetch(apiBase + "/favicon.svg", { mode: "no-cors", cache: "no-store" }).then(
        function () {
          return {
            title: "This site is not allowed to ask",
            message:
              "The server at " + target.origin + " is up but does not accept questions from " +
              window.location.origin + " (CORS). Its operator can allow this origin with RAG_CORS_ORIGINS.",
            retry: false,
          };
        },
        function () {
          return offline;
        }
      );
    }

    // ---- asking ------------------------------------------------------------------------
    function ask(question, bubble) {
      if (busy) {
        return;
      }
      var sentHistory = history.slice(-MAX_TURNS).map(function (turn) {
        return { role: turn.role, content: turn.content.slice(0, MAX_TURN_CHARS) };
      });
      if (!bubble) {
        if (empty.parentNode) {
          empty.parentNode.removeChild(empty);
        }
        log.appendChild(userMessage(question));
        bubble = h("article", { class: "rq-msg rq-msg-bot" });
        log.appendChild(bubble);
      }
      bubble.className = "rq-msg rq-msg-bot rq-pending";
      bubble.removeAttribute("data-tokens");
      bubble.removeAttribute("role");
      bubble.setAttribute("aria-label", "Answer in progress");
      clear(bubble);
      var thinking = h(
        "div",
        { class: "rq-thinking" },
        h("span", { class: "rq-dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")),
        "Thinking…"
      );
      bubble.appendChild(thinking);
      var draft = h("p", { class: "rq-text rq-draft", hidden: true });
      bubble.appendChild(draft);
      scrollToEnd();
      announce("Thinking…");

      var controller = new AbortController();
      var state = { controller: controller, stopped: false, done: false };
      setBusy(state);

      function retry(target) {
        ask(question, target);
      }

      function finish() {
        state.done = true;
        if (busy === state) {
          setBusy(null);
        }
        bubble.classList.remove("rq-pending");
      }

      function fail(failure) {
        finish();
        renderError(bubble, failure, retry);
        scrollToEnd();
      }

      var body = { question: question };
      if (sentHistory.length) {
        body.history = sentHistory;
      }

      fetch(apiBase + "/v1/ask/stream", {
        method: "POST",
        headers: headers({ "Content-Type": "application/json", Accept: "text/event-stream" }),
        body: JSON.stringify(body),
        signal: controller.signal,
      })
        .then(function (response) {
          if (!response.ok) {
            var wait = retryAfterSeconds(response);
            return response.text().then(function (text) {
              fail(describeFailure(response.status, parseJSON(text), wait));
            });
          }
          var final = null;
          var streamError = null;
          var tokens = 0;
          var cited = {}; // citation id -> citation, from the tokens so far
          return readEvents(response, function (name, data) {
            if (state.done) {
              return;
            }
            var payload = parseJSON(data);
            if (name === "token") {
              // Each token is a verified sentence of the final answer, with its citations.
              var piece = payload && typeof payload.text === "string" ? payload.text : "";
              if (piece) {
                if (thinking.parentNode) {
                  thinking.parentNode.removeChild(thinking);
                  draft.hidden = false;
                  bubble.classList.add("rq-streaming");
                  bubble.setAttribute("aria-busy", "true");
                  announce("Answering…");
                }
                (Array.isArray(payload.citations) ? payload.citations : []).forEach(function (c) {
                  cited[String(c.id)] = c;
                });
                append(draft, Array.prototype.slice.call(answerText(piece, cited).node.childNodes));
                tokens += 1;
                bubble.setAttribute("data-tokens", String(tokens));
                scrollToEnd();
              }
            } else if (name === "answer") {
              final = payload;
            } else if (name === "error") {
              streamError = payload;
            }
          }).then(function () {
            if (state.done) {
              return;
            }
            bubble.removeAttribute("aria-busy");
            if (final && typeof final === "object") {
              finish();
              renderAnswer(bubble, final);
              history.push({ role: "user", content: question });
              history.push({ role: "assistant", content: String(final.answer || "") });
              announce(final.answerable === false ? "No answer found in the documents." : "Answer ready.");
              scrollToEnd();
            } else if (streamError) {
              var code = streamError.error && streamError.error.code;
              var failure = describeFailure(
                code === "rate_limited" ? 429 : 503,
                streamError,
                null
              );
              if (code !== "rate_limited" && code !== "model_unavailable" && code !== "model_timeout") {
                failure.title = "The answer could not be finished";
              }
              fail(failure);
            } else {
              fail({
                title: "Answer cut off",
                message: "The connection closed before the answer was complete.",
                retry: true,
                wait: 0,
              });
            }
          });
        })
        .catch(function (error) {
          if (state.stopped || (error && error.name === "AbortError")) {
            return;
          }
          if (state.done) {
            return;
          }
          unreachable().then(fail);
        });
    }

    function stopAnswer() {
      if (!busy) {
        return;
      }
      var state = busy;
      state.stopped = true;
      state.controller.abort();
      state.done = true;
      setBusy(null);
      var bubble = log.querySelector(".rq-pending");
      if (bubble) {
        bubble.classList.remove("rq-pending", "rq-streaming");
        bubble.removeAttribute("aria-busy");
        bubble.classList.add("rq-msg-stopped");
        bubble.setAttribute("aria-label", "Stopped answer");
        var thinking = bubble.querySelector(".rq-thinking");
        var draft = bubble.querySelector(".rq-draft");
        if (thinking) {
          thinking.parentNode.removeChild(thinking);
        }
        if (draft && draft.textContent) {
          draft.hidden = false;
        } else {
          if (draft) {
            draft.parentNode.removeChild(draft);
          }
          bubble.appendChild(h("p", { class: "rq-note", text: "Stopped before an answer arrived." }));
        }
        bubble.insertBefore(h("p", { class: "rq-label", text: "Stopped" }), bubble.firstChild);
      }
      announce("Stopped.");
      input.focus();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var question = input.value.trim();
      if (!question || busy) {
        return;
      }
      input.value = "";
      autoGrow();
      ask(question);
      input.focus();
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        if (typeof form.requestSubmit === "function") {
          form.requestSubmit();
        } else {
          form.dispatchEvent(new Event("submit", { cancelable: true }));
        }
      } else if (event.key === "Escape" && busy) {
        event.preventDefault();
        stopAnswer();
      }
    });
    input.addEventListener("input", autoGrow);
    stop.addEventListener("click", stopAnswer);

    // ---- sources ---------------------------------------------------------------------
    function titleOf(docId) {
      return titles[docId] || displayTitle({ doc_id: docId, title: docId });
    }

    /* The empty chat says what it can answer about: the documents' titles. */
    function loadTopics() {
      fetch(apiBase + "/v1/documents", { headers: headers({ Accept: "application/json" }) })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (body) {
          var docs = body && Array.isArray(body.documents) ? body.documents : [];
          if (!docs.length) {
            return;
          }
          var list = h("ul", { class: "rq-topic-list" });
          docs.forEach(function (doc) {
            titles[doc.doc_id] = displayTitle(doc);
            list.appendChild(
              h("li", { class: "rq-topic", "data-doc-id": doc.doc_id, text: titles[doc.doc_id] + (doc.date && titles[doc.doc_id].indexOf(doc.date) < 0 ? " (" + doc.date + ")" : "") })
            );
          });
          clear(topics);
          topics.appendChild(h("p", { text: docs.length === 1 ? "It can answer about this document:" : "It can answer about these documents:" }));
          topics.appendChild(list);
        })
        .catch(function () {
          /* the list is a courtesy: questions still work without it */
        });
    }
    loadTopics();

    function loadDocument(docId) {
      if (!documents[docId]) {
        documents[docId] = fetch(apiBase + "/v1/documents/" + encodeURIComponent(docId), {
          headers: headers({ Accept: "application/json" }),
        }).then(function (response) {
          if (!response.ok) {
            var wait = retryAfterSeconds(response);
            return response.text().then(function (text) {
              delete documents[docId];
              var failure =
                response.status === 404
                  ? { title: "Not found", message: "This document is no longer in the index." }
                  : describeFailure(response.status, parseJSON(text), wait);
              throw failure;
            });
          }
          return response.json();
        });
        documents[docId].catch(function () {
          delete documents[docId];
        });
      }
      return documents[docId];
    }

    function openSource(citation, opener) {
      lastOpener = opener || null;
      panelTitle.textContent = titleOf(citation.doc_id);
      panelInfo.textContent = "Loading the source…";
      clear(panelDoc);
      panel.setAttribute("data-doc-id", citation.doc_id);
      panel.setAttribute("data-citation", citation.id);
      if (!panel.open) {
        if (typeof panel.showModal === "function") {
          panel.showModal();
        } else {
          panel.setAttribute("open", "");
        }
      }
      panelTitle.focus();
      loadDocument(citation.doc_id).then(
        function (doc) {
          if (panel.getAttribute("data-citation") !== String(citation.id) || panel.getAttribute("data-doc-id") !== citation.doc_id) {
            return;
          }
          var text = String(doc.text || "");
          titles[doc.doc_id || citation.doc_id] = displayTitle(doc);
          panelTitle.textContent = displayTitle(doc);
          var span = locateQuote(text, citation);
          // The body, without the `date` header (shown in the info line instead); the quote's
          // offsets are those of the full text, so they hold as they are.
          var start = bodyStart(text);
          clear(panelDoc);
          panelDoc.setAttribute("data-body-start", String(start));
          if (!span) {
            panelInfo.textContent =
              (doc.date ? doc.date + " · " : "") + "The quoted passage could not be found in this version of the document.";
            panelDoc.appendChild(document.createTextNode(text.slice(start)));
            return;
          }
          start = Math.min(start, span[0]);
          panelDoc.setAttribute("data-body-start", String(start));
          panelInfo.textContent =
            (doc.date ? doc.date + " · " : "") + "Quote " + citation.id + " is highlighted.";
          var mark = h("mark", { class: "rq-quote", tabindex: "-1", "data-citation": citation.id });
          mark.textContent = text.slice(span[0], span[1]);
          panelDoc.appendChild(document.createTextNode(text.slice(start, span[0])));
          panelDoc.appendChild(mark);
          panelDoc.appendChild(document.createTextNode(text.slice(span[1])));
          mark.scrollIntoView({ block: "center" });
        },
        function (failure) {
          panelInfo.textContent =
            failure && failure.message ? failure.title + ": " + failure.message : "The source could not be loaded.";
        }
      );
    }

    function closePanel() {
      if (typeof panel.close === "function" && panel.open) {
        panel.close();
      } else {
        panel.removeAttribute("open");
      }
    }

    panelClose.addEventListener("click", closePanel);
    panel.addEventListener("close", function () {
      if (lastOpener && lastOpener.isConnected) {
        lastOpener.focus();
      }
    });
    panel.addEventListener("click", function (event) {
      if (event.target === panel) {
        closePanel(); // a click on the backdrop
      }
    });

    return {
      input: input,
      ask: function (question) {
        ask(question);
      },
      stop: stopAnswer,
      focus: function () {
        input.focus();
      },
      destroy: function () {
        stopAnswer();
        container.removeChild(chat);
      },
    };
  }

  window.RagqaChat = { mount: mount, version: "1" };

  // The page: <main data-ragqa-page data-title="…"> in index.html.
  function autoMount() {
    var root = document.querySelector("[data-ragqa-page]");
    if (root && !root.getAttribute("data-mounted")) {
      root.setAttribute("data-mounted", "true");
      var noscript = root.querySelector(".rq-noscript");
      if (noscript) {
        noscript.parentNode.removeChild(noscript);
      }
      var chat = mount(root, {
        page: true,
        title: root.getAttribute("data-title") || "ragqa",
        apiBase: root.getAttribute("data-api-base") || "",
      });
      chat.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", autoMount);
  } else {
    autoMount();
  }
})();
