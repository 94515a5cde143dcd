// The web chat page: shows the messages the server streams (server-sent
// events), sends what the person types or presses as JSON. Message HTML is
// made safe on the server (bot/channels/web/sanitize.py) before it gets here.
"use strict";
(() => {
  const root = document.documentElement;
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const box = document.getElementById("text");
  const label = document.getElementById("text-label");
  const sendButton = document.getElementById("send");
  const title = document.getElementById("title");
  const notice = document.getElementById("notice");
  const picker = document.getElementById("file");
  const pickerName = document.getElementById("file-name");
  const pickerLabel = document.getElementById("file-label");
  let texts = {};
  let focusNext = false;

  function applyChrome(chrome) {
    if (!chrome || !chrome.texts) return;
    texts = chrome.texts;
    root.lang = chrome.lang;
    root.dir = chrome.dir;
    document.title = texts.title;
    title.textContent = texts.title;
    log.setAttribute("aria-label", texts.messages);
    box.placeholder = texts.placeholder;
    label.textContent = texts.placeholder;
    sendButton.textContent = texts.send;
    pickerName.textContent = texts.attach;
    pickerLabel.title = texts.attach;
  }

  function showNotice(text, lang, dir) {
    notice.textContent = text;
    notice.lang = lang || root.lang;
    notice.dir = dir || "auto";
    notice.hidden = false;
  }

  function hideNotice() {
    notice.hidden = true;
  }

  function bubble(lang, dir, mine) {
    const article = document.createElement("article");
    article.className = mine ? "message mine" : "message";
    if (lang) article.lang = lang;
    article.dir = dir || "auto";
    article.tabIndex = -1;
    return article;
  }

  function show(message) {
    const article = bubble(message.lang, message.dir, false);
    const body = document.createElement("div");
    body.className = "body";
    body.innerHTML = message.html; // already safe: sanitised on the server
    article.append(body);
    if (message.file) article.append(fileElement(message.file));
    if (message.voice) {
      const audio = document.createElement("audio");
      audio.controls = true;
      audio.preload = "none";
      audio.src = message.voice;
      article.append(audio);
    }
    if (message.buttons.length) {
      const buttons = document.createElement("div");
      buttons.className = "buttons";
      for (const row of message.buttons) {
        const line = document.createElement("div");
        line.className = "row";
        for (const button of row) {
          const element = document.createElement("button");
          element.type = "button";
          element.dir = "auto";
          element.textContent = button.label;
          element.addEventListener("click", () => post({ button: button.action }, true));
          line.append(element);
        }
        buttons.append(line);
      }
      article.append(buttons);
    }
    log.append(article);
    article.scrollIntoView({ block: "end" });
    if (focusNext) {
      focusNext = false;
      (article.querySelector("button") || article).focus();
    }
  }

  function fileElement(file) {
    if (file.kind === "voice") {
      const audio = document.createElement("audio");
      audio.controls = true;
      audio.preload = "none";
      audio.src = file.url;
      return audio;
    }
    if (file.kind === "photo") {
      const image = document.createElement("img");
      image.src = file.url;
      image.alt = file.name;
      return image;
    }
    const link = document.createElement("a");
    link.className = "file";
    link.href = file.url;
    link.download = file.name;
    link.dir = "auto";
    link.textContent = "📄 " + file.name;
    return link;
  }

  function showMine(text) {
    const article = bubble(null, "auto", true);
    const body = document.createElement("div");
    body.className = "body";
    body.textContent = text;
    article.append(body);
    log.append(article);
    article.scrollIntoView({ block: "end" });
  }

  function post(action, fromButton) {
    return send(fetch("/api/turn", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(action),
    }), fromButton);
  }

  async function send(request, fromButton) {
    focusNext = fromButton;
    let response;
    try {
      response = await request;
    } catch (error) {
      showNotice(texts.connection_lost);
      return false;
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      showNotice(data.text || texts.connection_lost, data.lang, data.dir);
      return false;
    }
    hideNotice();
    applyChrome(data);
    return true;
  }

  function connect() {
    const stream = new EventSource("/api/events");
    stream.onopen = hideNotice;
    stream.onmessage = (event) => show(JSON.parse(event.data));
    stream.addEventListener("ended", () => stream.close());
    stream.onerror = () => {
      showNotice(texts.connection_lost);
      if (stream.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
    };
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = box.value.trim();
    if (!text) return;
    box.value = "";
    showMine(text);
    if (!(await post({ text }, false))) box.value = text;
    box.focus();
  });

  picker.addEventListener("change", async () => {
    const chosen = picker.files[0];
    if (!chosen) return;
    const form = new FormData();
    form.append("file", chosen);
    const caption = box.value.trim();
    if (caption) form.append("caption", caption);
    box.value = "";
    picker.value = "";
    showMine("📎 " + chosen.name + (caption ? "\n" + caption : ""));
    await send(fetch("/api/upload", { method: "POST", body: form }), false);
    box.focus();
  });

  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  async function start() {
    const code = document.body.dataset.code;
    const response = await fetch("/api/hello", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    const data = await response.json();
    applyChrome(data);
    connect();
    if (data.new || code) {
      await post({ command: "start", args: code ? [code] : [] }, true);
      if (code) history.replaceState(null, "", "/");
    }
  }

  start().catch(() => showNotice(texts.connection_lost || "…"));
})();
