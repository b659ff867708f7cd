/* Reading a lesson or a quiz aloud, paragraph by paragraph, the paragraph being read
   highlighted, with pause and speed. The phone's own voice for the page's language when it has
   one (nothing downloaded); else the recorded reading made by `flask content audio`, if any.
   Without JavaScript, or with neither, no button appears. */
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
    if (index >= paragraphs.length) { stop(); return; }
    highlight(index);
    engine.speak(index);
  }
  function next() { readFrom(current + 1); }
  function stop() {
    playing = false;
    current = -1;
    engine.stop();
    highlight(-1);
    play.textContent = T.listen;
    play.setAttribute("aria-pressed", "false");
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
      playing = true;
      readFrom(0);
    } else if (playing) {
      playing = false;
      engine.pause();
    } else {
      playing = true;
      engine.resume();
    }
    play.textContent = playing ? T.pause : T.resume;
    play.setAttribute("aria-pressed", String(playing));
  });
  pace.addEventListener("click", function () {
    speed = speeds[(speeds.indexOf(speed) + 1) % speeds.length];
    localStorage.setItem("lms-reading-speed", String(speed));
    showSpeed();
    if (playing && current >= 0) { readFrom(current); }  // the paragraph again, at the new pace
  });

  function offer(chosen) {
    if (engine || !chosen || !paragraphs.length) { return; }
    engine = chosen;
    tools.appendChild(play);
    tools.appendChild(pace);
    tools.hidden = false;
  }
  function tryPhoneVoice() {
    var voice = voiceFor(language);
    if (voice) { offer(phoneVoice(voice)); }
    return voice;
  }
  if (!tryPhoneVoice() && window.speechSynthesis) {
    speechSynthesis.addEventListener("voiceschanged", tryPhoneVoice);  // voices load late
  }
  var recording = area.getAttribute("data-audio");
  if (recording) {
    // Asked only after the phone had a moment to list its voices.
    setTimeout(function () {
      if (engine) { return; }
      fetch(recording).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (found) {
        if (found && found.files.length === paragraphs.length) { offer(recorded(found.files)); }
      }).catch(function () { /* no network and not saved: no recorded reading */ });
    }, 800);
  }
}());
