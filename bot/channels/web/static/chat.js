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
  const menuButton = document.getElementById("menu");
  const notice = document.getElementById("notice");
  const picker = document.getElementById("file");
  const pickerName = document.getElementById("file-name");
  const pickerLabel = document.getElementById("file-label");
  let texts = {};
  let focusNext = false;
  let stream = null;
  let starting = false;

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
    menuButton.textContent = texts.menu;
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
          line.append(button.url ? linkButton(button) : actionButton(button));
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

  function actionButton(button) {
    const element = document.createElement("button");
    element.type = "button";
    element.dir = "auto";
    element.textContent = button.label;
    element.addEventListener("click", () => post({ button: button.action }, true));
    return element;
  }

  function linkButton(button) {
    // A map or a web page: opened by the browser, nothing is sent to the bot.
    const element = document.createElement("a");
    element.className = "button";
    element.dir = "auto";
    element.href = button.url;
    element.target = "_blank";
    element.rel = "noopener noreferrer";
    element.textContent = button.label;
    return element;
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
    return article;
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
    if (data.error === "web.session_unknown" && !starting) {
      // The session is gone (erased by /delete, or by the retention sweep): start
      // a new one, as a reload would; what was typed stays in the box.
      await start();
      return false;
    }
    if (!response.ok) {
      showNotice(data.text || texts.connection_lost, data.lang, data.dir);
      return false;
    }
    hideNotice();
    applyChrome(data);
    return true;
  }

  function connect() {
    if (stream) stream.close();  // one stream: a new session replaces the old one's
    const current = new EventSource("/api/events");
    stream = current;
    current.onopen = hideNotice;
    current.onmessage = (event) => show(JSON.parse(event.data));
    current.addEventListener("ended", () => current.close());
    current.onerror = () => {
      if (current !== stream) return;
      showNotice(texts.connection_lost);
      if (current.readyState === EventSource.CLOSED) setTimeout(() => current === stream && connect(), 3000);
    };
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = box.value.trim();
    if (!text) return;
    box.value = "";
    const mine = showMine(text);
    if (!(await post({ text }, false))) {  // not sent: no bubble that looks sent, the text back to edit
      mine.remove();
      box.value = text;
    }
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
    const mine = showMine("📎 " + chosen.name + (caption ? "\n" + caption : ""));
    if (!(await send(fetch("/api/upload", { method: "POST", body: form }), false))) {
      mine.remove();
      box.value = caption;
    }
    box.focus();
  });

  menuButton.addEventListener("click", () => post({ command: "menu" }, true));

  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  async function start() {
    const code = document.body.dataset.code;
    delete document.body.dataset.code;  // an invitation is used once; a new session later starts without it
    starting = true;
    try {
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
    } finally {
      starting = false;
    }
  }

  start().catch(() => showNotice(texts.connection_lost || "…"));
})();
