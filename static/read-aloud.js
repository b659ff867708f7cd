/* Reading a lesson or a quiz aloud, paragraph by paragraph, the paragraph being read
   highlighted, with pause and speed; a quiz option (data-listen), and each question of a page
   holding several, gets its own button that reads it alone. The phone's own voice for the
   page's language when it has one (nothing downloaded); else the recorded reading made by
   `flask content audio`, if any: a lesson's listed in its data-audio file, a quiz's on its
   blocks (data-clips, in the order the attempt shows them). Without JavaScript, or with
   neither, no button appears. */
(function () {
  "use strict";
  var area = document.querySelector("[data-read-aloud]");
  var tools = document.querySelector(".js-tools");
  var textsNode = document.getElementById("script-texts");
  if (!area || !tools || !textsNode) { return; }
  var T = JSON.parse(textsNode.textContent);
  var language = document.documentElement.lang;
  // The innermost blocks, as lms/services/read_aloud.py splits them for the recorded reading.
  var BLOCKS = "h1, h2, h3, h4, p, li, legend, label";
  var speeds = [1, 1.25, 0.75];
  var speed = Number(localStorage.getItem("lms-reading-speed")) || 1;
  var paragraphs = Array.prototype.filter.call(area.querySelectorAll(BLOCKS), function (node) {
    return !node.querySelector(BLOCKS) && node.textContent.trim();
  });
  var current = -1;
  var last = -1;  // the last paragraph of what is being read: all of them, or one block's
  var playing = false;
  var engine = null;  // speak(index), pause(), resume(), stop()

  function voiceFor(lang) {
    if (!window.speechSynthesis) { return null; }
    return speechSynthesis.getVoices().filter(function (voice) {
      return voice.lang.toLowerCase().replace("_", "-").split("-")[0] === lang;
    })[0] || null;
  }

  function phoneVoice(voice) {
    return {
      speak: function (index) {
        speechSynthesis.cancel();
        speechSynthesis.resume();  // a block's button pressed while paused: not paused any more
        var utterance = new SpeechSynthesisUtterance(paragraphs[index].textContent.trim());
        utterance.voice = voice;
        utterance.lang = voice.lang;
        utterance.rate = speed;
        utterance.onend = function () { if (playing && current === index) { next(); } };
        speechSynthesis.speak(utterance);
      },
      pause: function () { speechSynthesis.pause(); },
      resume: function () { speechSynthesis.resume(); },
      stop: function () { speechSynthesis.cancel(); }
    };
  }

  function recorded(files) {
    var audio = new Audio();
    audio.addEventListener("ended", function () { if (playing) { next(); } });
    return {
      speak: function (index) {
        audio.src = files[index];
        audio.playbackRate = speed;
        audio.play();
      },
      pause: function () { audio.pause(); },
      resume: function () { audio.playbackRate = speed; audio.play(); },
      stop: function () { audio.pause(); }
    };
  }

  function highlight(index) {
    paragraphs.forEach(function (node, n) { node.classList.toggle("reading", n === index); });
    if (index >= 0) { paragraphs[index].scrollIntoView({block: "center", behavior: "smooth"}); }
  }
  function readFrom(index) {
    current = index;
    if (index > last) { stop(); return; }
    highlight(index);
    engine.speak(index);
  }
  function next() { readFrom(current + 1); }
  function showState() {
    play.textContent = playing ? T.pause : current === -1 ? T.listen : T.resume;
    play.setAttribute("aria-pressed", String(playing));
  }
  function start(first, end) {
    playing = true;
    last = end;
    readFrom(first);
    showState();
  }
  function stop() {
    playing = false;
    current = -1;
    engine.stop();
    highlight(-1);
    showState();
  }

  var play = document.createElement("button");
  play.type = "button";
  play.className = "tool-button";
  play.textContent = T.listen;
  play.setAttribute("aria-pressed", "false");
  var pace = document.createElement("button");
  pace.type = "button";
  pace.className = "tool-button";
  function showSpeed() { pace.textContent = T.speed.replace("{speed}", String(speed).replace(".", language === "vi" ? "," : ".")); }
  showSpeed();

  play.addEventListener("click", function () {
    if (!playing && current === -1) {
      start(0, paragraphs.length - 1);
      return;
    }
    playing = !playing;
    if (playing) { engine.resume(); } else { engine.pause(); }
    showState();
  });
  pace.addEventListener("click", function () {
    speed = speeds[(speeds.indexOf(speed) + 1) % speeds.length];
    localStorage.setItem("lms-reading-speed", String(speed));
    showSpeed();
    if (playing && current >= 0) { readFrom(current); }  // the paragraph again, at the new pace
  });

  // A speaker, drawn here: no icon file to fetch, no emoji font needed.
  var SPEAKER = "M3 9v6h4l5 4V5L7 9H3zm13.5 3a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4z";
  function listenButton(block) {
    var inside = paragraphs.filter(function (node) { return block.contains(node); });
    if (!inside.length) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "listen-one";
    var icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("aria-hidden", "true");
    icon.setAttribute("focusable", "false");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", SPEAKER);
    icon.appendChild(path);
    button.appendChild(icon);
    button.addEventListener("click", function () {
      if (playing) { engine.stop(); }
      start(paragraphs.indexOf(inside[0]), paragraphs.indexOf(inside[inside.length - 1]));
    });
    if (block.tagName === "FIELDSET") {  // a question: its button under its words
      button.appendChild(document.createTextNode(T.listen_question));
      block.insertBefore(button, block.querySelector("legend").nextSibling);
    } else {  // an option: a button beside it, outside the label (tapping it ticks nothing)
      button.setAttribute("aria-label", T.listen_option);
      var row = document.createElement("div");
      row.className = "listen-row";
      block.parentNode.insertBefore(row, block);
      row.appendChild(block);
      row.appendChild(button);
    }
  }

  function offer(chosen) {
    if (engine || !chosen || !paragraphs.length) { return; }
    engine = chosen;
    tools.appendChild(play);
    tools.appendChild(pace);
    tools.hidden = false;
    var questions = area.querySelectorAll("fieldset");
    if (questions.length > 1) { Array.prototype.forEach.call(questions, listenButton); }
    Array.prototype.forEach.call(area.querySelectorAll("[data-listen]"), listenButton);
  }
  function tryPhoneVoice() {
    var voice = voiceFor(language);
    if (voice) { offer(phoneVoice(voice)); }
    return voice;
  }
  if (!tryPhoneVoice() && window.speechSynthesis) {
    speechSynthesis.addEventListener("voiceschanged", tryPhoneVoice);  // voices load late
  }
  function clipsOnThePage() {
    // Each holder's clips are the paragraphs inside it, in order; every paragraph needs one.
    var files = paragraphs.map(function () { return null; });
    Array.prototype.forEach.call(area.querySelectorAll("[data-clips]"), function (holder) {
      var clips = holder.getAttribute("data-clips").split(" ");
      var inside = paragraphs.filter(function (node) { return holder.contains(node); });
      if (inside.length === clips.length) {
        inside.forEach(function (node, n) { files[paragraphs.indexOf(node)] = clips[n]; });
      }
    });
    return files.length && files.every(Boolean) ? files : null;
  }
  var recording = area.getAttribute("data-audio");
  var clips = clipsOnThePage();
  if (recording || clips) {
    // Asked only after the phone had a moment to list its voices.
    setTimeout(function () {
      if (engine) { return; }
      var found = clips ? fetch(clips[0], {method: "HEAD"}).then(function (response) {
        return response.ok ? {files: clips} : null;  // reachable now (not offline)
      }) : fetch(recording).then(function (response) {
        return response.ok ? response.json() : null;
      });
      found.then(function (found) {
        if (found && found.files.length === paragraphs.length) { offer(recorded(found.files)); }
      }).catch(function () { /* no network and not saved: no recorded reading */ });
    }, 800);
  }
}());
