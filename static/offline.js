/* Learning without a network, where the browser can: saving a course's pages on the device,
   keeping lessons marked done and quiz answers made offline, and sending each once when the
   network returns (the server drops a resend: a key per action, the attempt token per quiz).
   Without JavaScript nothing here runs and every page works as plain forms and links. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.caches || !window.fetch || !window.localStorage) {
    return;
  }
  var script = document.currentScript;
  var textsNode = document.getElementById("script-texts");
  var T = textsNode ? JSON.parse(textsNode.textContent) : {};
  var OUTBOX = "lms-outbox";   // [{key, kind, url, page, fields, label, user}]
  var SAVED = "lms-saved";     // {course slug: {title, pages, size, at}}
  var SENT = "lms-sent";       // what was sent since, to say so once: [{label, result}]

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }
  function read(name, empty) {
    try { return JSON.parse(localStorage.getItem(name)) || empty; } catch (e) { return empty; }
  }
  function write(name, value) { localStorage.setItem(name, JSON.stringify(value)); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  navigator.serviceWorker.register(script.getAttribute("data-worker"), {scope: "/"})
    .catch(function () { /* no worker (private window, old browser): pages still work online */ });

  // --- what waits to be sent, said plainly at the top of every page ---------------------------
  var box = document.querySelector(".outbox");
  function mine(item) { return item.user === T.user; }
  function showOutbox(note) {
    if (!box) { return; }
    var waiting = read(OUTBOX, []).filter(mine);
    var sent = read(SENT, []);
    box.textContent = "";
    if (note) { addLine(box, note); }
    if (!navigator.onLine) { addLine(box, T.offline).className = "outbox-offline"; }
    if (waiting.length) {
      addLine(box, T.waiting);
      var list = document.createElement("ul");
      waiting.forEach(function (item) { addLine(list, item.label, "li"); });
      box.appendChild(list);
      if (T.user === null) { addLine(box, T.sign_in); }
    }
    if (sent.length) {
      addLine(box, fill(T.sent, {count: sent.map(function (s) { return s.label; }).join("; ")}));
      sent.forEach(function (s) {
        if (s.result) {
          var link = document.createElement("a");
          link.href = s.result;
          link.textContent = T.see_result;
          addLine(box, "").appendChild(link);
        }
      });
      write(SENT, []);
    }
    box.hidden = !box.firstChild;
  }
  function addLine(parent, text, tag) {
    var node = document.createElement(tag || "p");
    node.textContent = text;
    parent.appendChild(node);
    return node;
  }

  function queue(item) {
    item.key = item.key || newKey();
    item.user = T.user;
    var items = read(OUTBOX, []).filter(function (other) { return other.url !== item.url || other.kind !== item.kind || other.user !== item.user; });
    items.push(item);
    write(OUTBOX, items);
  }

  // --- sending, once per action ---------------------------------------------------------------
  var sending = false;
  function toForm(fields) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (name) {
      [].concat(fields[name]).forEach(function (value) { body.append(name, value); });
    });
    return body;
  }
  function signedOut(response) { return response.url.indexOf("/login") !== -1; }
  function freshToken(page) {
    // The token saved with the page may have expired; the page read now carries a valid one.
    return fetch(page, {credentials: "same-origin"}).then(function (response) {
      if (signedOut(response)) { throw new Error("signed out"); }
      return response.text();
    }).then(function (html) {
      var field = new DOMParser().parseFromString(html, "text/html").querySelector("input[name=csrf_token]");
      return field ? field.value : "";
    });
  }
  function send(item) {
    var fields = Object.assign({}, item.fields);
    var ready = item.kind === "done" ? freshToken(item.page).then(function (token) {
      fields.csrf_token = token;
      fields.action = item.key;
    }) : Promise.resolve();
    return ready.then(function () {
      return fetch(item.url, {method: "POST", body: toForm(fields), credentials: "same-origin"});
    }).then(function (response) {
      if (signedOut(response)) { throw new Error("signed out"); }
      // 409: this attempt was graded already (an earlier send that lost its answer): done too.
      if (!response.ok && response.status !== 409) { throw new Error("refused " + response.status); }
      return item.kind === "quiz" && response.ok ? response.url : null;
    });
  }
  function savedQuizzes() {
    // Answers given offline in a quiz not yet submitted: saved on the server like any others.
    var queued = read(OUTBOX, []).map(function (item) { return item.key; });
    return Object.keys(localStorage).filter(function (name) {
      return name.indexOf("lms-quiz-") === 0 && queued.indexOf(name.slice(9)) === -1 &&
        read(name, {}).dirty;
    });
  }
  function flush() {
    if (sending || !navigator.onLine || T.user === null) { return Promise.resolve(); }
    sending = true;
    var items = read(OUTBOX, []).filter(mine);
    var chain = Promise.resolve();
    savedQuizzes().forEach(function (name) {
      var kept = read(name, {});
      chain = chain.then(function () {
        var fields = {attempt: name.slice(9), shown: kept.shown, go: "review"};
        kept.shown.forEach(function (key) { fields["q-" + key] = kept.answers[key]; });
        return fetch(kept.save, {method: "POST", body: toForm(fields), credentials: "same-origin"})
          .then(function (response) {
            if (response.ok || response.status === 409) {
              kept.dirty = false;
              write(name, kept);
            }
          });
      });
    });
    items.forEach(function (item) {
      chain = chain.then(function () {
        return send(item).then(function (result) {
          write(OUTBOX, read(OUTBOX, []).filter(function (other) { return other.key !== item.key; }));
          if (item.kind === "quiz") { localStorage.removeItem("lms-quiz-" + item.key); }
          var sent = read(SENT, []);
          sent.push({label: item.label, result: result});
          write(SENT, sent);
        });
      });
    });
    return chain.catch(function () { /* kept for the next time the network returns */ })
      .then(function () { sending = false; showOutbox(); markPending(); });
  }

  // --- lessons marked done, and quiz answers, without a network --------------------------------
  function lessonTitle() {
    var h1 = document.querySelector("h1");
    return h1 ? h1.textContent.trim() : document.title;
  }
  function markPending() {
    var waiting = read(OUTBOX, []).filter(mine);
    document.querySelectorAll("form[action$='/done']").forEach(function (form) {
      var queued = waiting.some(function (item) { return item.kind === "done" && item.url === form.action; });
      var note = form.parentNode.querySelector(".pending-note");
      if (queued && !note) {
        note = addLine(form.parentNode, T.marked_offline);
        note.className = "pending-note done-banner";
        form.hidden = true;
      }
    });
  }

  // Every answer given on this device is kept here too, until the attempt is graded: a question
  // page saved earlier then shows what was chosen since, and nothing sent offline is lost.
  function localAnswers(token) { return read("lms-quiz-" + token, {answers: {}, shown: []}); }
  function keepAnswers(form) {
    var token = form.elements.attempt.value;
    var kept = localAnswers(token);
    kept.save = form.action;
    kept.at = Date.now();
    kept.dirty = kept.dirty || !navigator.onLine;
    form.querySelectorAll("input[name=shown]").forEach(function (shown) {
      var key = shown.value;
      kept.answers[key] = Array.prototype.map.call(
        form.querySelectorAll("input[name='q-" + key + "']:checked"), function (i) { return i.value; });
      if (kept.shown.indexOf(key) === -1) { kept.shown.push(key); }
    });
    write("lms-quiz-" + token, kept);
    return kept;
  }
  function restoreAnswers(form) {
    var kept = localAnswers(form.elements.attempt.value);
    Object.keys(kept.answers).forEach(function (key) {
      form.querySelectorAll("input[name='q-" + key + "']").forEach(function (input) {
        input.checked = kept.answers[key].indexOf(input.value) !== -1;
      });
    });
  }
  function queueQuiz(form, kept) {
    var fields = {attempt: form.elements.attempt.value, shown: kept.shown};
    kept.shown.forEach(function (key) { fields["q-" + key] = kept.answers[key]; });
    var answered = kept.shown.filter(function (key) { return kept.answers[key].length; }).length;
    var total = Number(form.getAttribute("data-total")) || kept.shown.length;
    queue({kind: "quiz", url: form.getAttribute("data-submit"), fields: fields,
           label: fill(T.quiz_label, {title: form.getAttribute("data-title")}), key: fields.attempt});
    return fill(T.quiz_offline, {answered: answered, total: total});
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-quiz") && form.querySelector("input[name=shown]")) {
      keepAnswers(form);
    }
    if (navigator.onLine) { return; }  // online: the plain form, as without JavaScript
    if (/\/done$/.test(form.action)) {
      event.preventDefault();
      queue({kind: "done", url: form.action, page: location.pathname, fields: {},
             label: fill(T.done_label, {title: lessonTitle()})});
      markPending();
      showOutbox();
    } else if (form.hasAttribute("data-quiz")) {
      event.preventDefault();
      var kept = localAnswers(form.elements.attempt.value);
      var go = event.submitter && event.submitter.name === "go" ? event.submitter.value : "review";
      if (/^\d+$/.test(go)) {
        location.href = location.pathname + "?q=" + go;  // saved with the course when it was opened
      } else {
        showOutbox(queueQuiz(form, kept));
        window.scrollTo(0, 0);
      }
    }
  });

  // --- saving a course -------------------------------------------------------------------------
  function sameOrigin(url) { return new URL(url, location.href).origin === location.origin; }
  function filesOf(html, base) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var urls = [];
    doc.querySelectorAll("img[src], script[src], link[rel=stylesheet][href], link[rel=icon][href]").forEach(function (node) {
      var url = new URL(node.getAttribute("src") || node.getAttribute("href"), base).href;
      if (sameOrigin(url)) { urls.push(url); }
    });
    return urls;
  }
  function saveCourse(section) {
    var status = section.querySelector("[role=status]");
    var pages = section.getAttribute("data-pages").trim().split(/\s+/);
    var size = 0;
    var files = {};
    status.textContent = T.saving;
    return caches.open("lms-pages").then(function (cache) {
      return Promise.all(pages.map(function (page) {
        return fetch(page, {credentials: "same-origin"}).then(function (response) {
          if (!response.ok) { throw new Error(page); }
          return cache.put(page, response.clone()).then(function () { return response.text(); });
        }).then(function (html) {
          size += html.length;
          filesOf(html, location.href).forEach(function (url) { files[url] = true; });
        });
      }));
    }).then(function () {
      return caches.open("lms-files").then(function (cache) {
        return Promise.all(Object.keys(files).map(function (url) {
          return fetch(url).then(function (response) {
            if (!response.ok) { throw new Error(url); }
            return response.clone().blob().then(function (blob) {
              size += blob.size;
              return cache.put(url, response);
            });
          });
        }));
      });
    }).then(function () {
      var saved = read(SAVED, {});
      var course = section.getAttribute("data-offline-course");
      saved[course] = {title: section.getAttribute("data-title"), pages: pages.length,
                       size: Math.round(size / 1024), at: Date.now()};
      write(SAVED, saved);
      showSaved(section);
    }, function () {
      status.textContent = T.not_saved;
    });
  }
  function showSaved(section) {
    var saved = read(SAVED, {})[section.getAttribute("data-offline-course")];
    if (saved) {
      section.querySelector("[role=status]").textContent = fill(T.saved, {pages: saved.pages, size: saved.size});
    }
  }

  // A quiz started in a saved course: its other questions are saved too, to answer offline.
  function saveQuizPages(form) {
    var total = Number(form.getAttribute("data-total"));
    var flag = "lms-pages-of-" + form.elements.attempt.value;
    if (!navigator.onLine || !total || localStorage.getItem(flag) ||
        !read(SAVED, {})[form.getAttribute("data-quiz")]) { return; }
    localStorage.setItem(flag, "1");
    caches.open("lms-pages").then(function (cache) {
      for (var n = 1; n <= total; n += 1) {
        (function (url) {
          fetch(url, {credentials: "same-origin"}).then(function (response) {
            if (response.ok && !response.redirected) { cache.put(url, response); }
          });
        })(location.pathname + "?q=" + n);
      }
    });
  }

  document.querySelectorAll("[data-offline-course]").forEach(function (section) {
    section.hidden = false;
    showSaved(section);
    section.querySelector("button").addEventListener("click", function () { saveCourse(section); });
  });
  document.querySelectorAll("form[data-quiz]").forEach(function (form) {
    if (!form.elements.attempt) { return; }
    restoreAnswers(form);
    if (form.hasAttribute("data-paged")) { saveQuizPages(form); }
  });
  Object.keys(localStorage).forEach(function (name) {  // attempts long since graded
    if (name.indexOf("lms-quiz-") === 0 && Date.now() - (read(name, {}).at || 0) > 7 * 864e5) {
      localStorage.removeItem(name);
    }
  });
  var fallback = document.querySelector("[data-offline-fallback]");
  function readTheRealPage() {
    // This page stood in for one never saved: read the real one once the network is back
    // (again a little later if the first try came too soon).
    if (navigator.onLine) { setTimeout(function () { location.reload(); }, 1500); }
  }
  if (fallback) { readTheRealPage(); }
  window.addEventListener("online", function () {
    if (fallback) { readTheRealPage(); return; }
    showOutbox();
    flush();
  });
  // A network that is there but does not answer (weak 3G): try again now and then.
  setInterval(function () { if (read(OUTBOX, []).filter(mine).length) { flush(); } }, 20000);
  window.addEventListener("offline", function () { showOutbox(); });
  markPending();
  showOutbox();
  flush();
}());
