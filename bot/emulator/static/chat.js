// The emulator's web view of one Telegram chat: draws the chat's messages from their text and
// entities (never as HTML), polls for changes, and sends what the person types or presses.
"use strict";
const user = document.body.dataset.user;
const base = `/_web/chat/${user}`;
const log = document.getElementById("log");
const form = document.getElementById("composer");
const box = document.getElementById("text");
const toast = document.getElementById("toast");
const replying = document.getElementById("replying");
let drawn = "";
let replyTo = null;

const TAGS = { bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
  blockquote: "blockquote", expandable_blockquote: "blockquote", spoiler: "span" };

function wrapper(entity) {
  if (entity.type === "text_link" || entity.type === "url") {
    const a = document.createElement("a");
    const href = entity.url || "";
    if (/^https?:\/\//i.test(href)) { a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer"; }
    return a;
  }
  return document.createElement(TAGS[entity.type] || "span");
}

// Entities are in UTF-16 code units, as JavaScript strings are; Telegram's HTML nests them.
function fill(parent, text, start, end, entities) {
  let pos = start;
  for (let i = 0; i < entities.length; i++) {
    const e = entities[i];
    if (e.offset < pos || e.offset >= end) continue;
    parent.append(text.slice(pos, e.offset));
    const stop = Math.min(e.offset + e.length, end);
    const el = wrapper(e);
    if (e.type === "url") el.href = /^https?:\/\//i.test(text.slice(e.offset, stop)) ? text.slice(e.offset, stop) : "";
    const inner = entities.slice(i + 1).filter((x) => x.offset >= e.offset && x.offset + x.length <= stop);
    fill(el, text, e.offset, stop, inner);
    parent.append(el);
    pos = stop;
  }
  parent.append(text.slice(pos, end));
}

// As Telegram's app does: the first letter decides (Arabic, Farsi: right to left); "/start" has none: left to right.
function direction(text) {
  const first = text.match(/[A-Za-z\u00C0-\u024F\u0590-\u08FF\u1200-\u137F]/);
  return first && /[\u0590-\u08FF]/.test(first[0]) ? "rtl" : "ltr";
}

function body(message) {
  const div = document.createElement("div");
  div.className = "bubble";
  if (message.kind === "photo" && message.file_id) {
    const img = document.createElement("img");
    img.src = `${base}/files/${encodeURIComponent(message.file_id)}`;
    img.alt = "📷";
    div.append(img);
  } else if (message.kind === "document") {
    div.append(`📎 ${message.file_name || ""}\n`);
  } else if (!["text", "photo"].includes(message.kind)) {
    div.append(message.kind === "sticker" ? "👍" : `[${message.kind}]`);
  }
  const text = message.text ?? message.caption ?? "";
  const entities = [...(message.entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
  const content = document.createElement("div");
  content.dir = direction(text);
  fill(content, text, 0, text.length, entities);
  div.append(content);
  const time = document.createElement("div");
  time.className = "time";
  time.textContent = new Date(message.date * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  div.append(time);
  return div;
}

function keyboard(message) {
  const rows = (message.reply_markup || {}).inline_keyboard || [];
  if (!rows.length) return null;
  const div = document.createElement("div");
  div.className = "keyboard";
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "row";
    for (const button of row) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = button.text;
      if (button.url) b.addEventListener("click", () => window.open(button.url, "_blank", "noopener"));
      else b.addEventListener("click", () => press(message.message_id, button.callback_data));
      line.append(b);
    }
    div.append(line);
  }
  return div;
}

function snippet(message) {
  return (message.text ?? message.caption ?? message.file_name ?? message.kind).slice(0, 80);
}

const shown = new Map();  // message id -> {json, element}: only changed messages are drawn again

function element(message, byId) {
  const item = document.createElement("div");
  item.className = `msg ${message.from_bot ? "bot" : "me"}`;
  item.dataset.id = message.message_id;
  const bubble = body(message);
  const target = byId.get(message.reply_to_message_id);
  if (target) {
    const quote = document.createElement("div");
    quote.className = "quote";
    quote.textContent = snippet(target);
    bubble.prepend(quote);
  }
  if (message.from_bot) bubble.addEventListener("click", () => startReply(message));
  item.append(bubble);
  const keys = keyboard(message);
  if (keys) item.append(keys);
  return item;
}

function draw(messages) {
  const byId = new Map(messages.map((m) => [m.message_id, m]));
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  for (const [id, old] of shown) {
    if (!byId.has(id)) { old.element.remove(); shown.delete(id); }
  }
  let previous = null;
  for (const message of messages) {
    const json = JSON.stringify(message);
    let entry = shown.get(message.message_id);
    if (!entry || entry.json !== json) {
      const fresh = element(message, byId);
      if (entry) entry.element.replaceWith(fresh);
      entry = { json, element: fresh };
      shown.set(message.message_id, entry);
    }
    if (entry.element.previousElementSibling !== previous || !entry.element.isConnected) {
      if (previous) previous.after(entry.element); else log.prepend(entry.element);
    }
    previous = entry.element;
  }
  if (atBottom) log.scrollTop = log.scrollHeight;
}

function startReply(message) {
  replyTo = message.message_id;
  document.getElementById("replying-text").textContent = snippet(message);
  replying.hidden = false;
  box.focus();
}

function stopReply() {
  replyTo = null;
  replying.hidden = true;
}

function showToast(text) {
  toast.textContent = text;
  toast.hidden = false;
  setTimeout(() => { toast.hidden = true; }, 2500);
}

async function post(path, payload) {
  const response = await fetch(`${base}/${path}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
  });
  return response.json();
}

async function press(messageId, data) {
  const { callback_query_id: id } = await post("press", { message_id: messageId, data });
  for (let i = 0; id && i < 20; i++) {  // the bot's answer to the press, shown as Telegram's toast
    await new Promise((r) => setTimeout(r, 150));
    const answer = await (await fetch(`${base}/callbacks/${id}`)).json();
    if (answer.answered) { if (answer.text) showToast(answer.text); break; }
  }
  poll();
}

async function poll() {
  try {
    const text = await (await fetch(`${base}/messages`)).text();
    if (text !== drawn) { drawn = text; draw(JSON.parse(text)); }
  } catch (error) { /* the demo is stopping; try again */ }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = box.value.trim();
  if (!text) return;
  box.value = "";
  const payload = replyTo ? { text, reply_to_message_id: replyTo } : { text };
  stopReply();
  await post("send", payload);
  poll();
});
box.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
});
document.getElementById("replying-cancel").addEventListener("click", stopReply);
poll();
setInterval(poll, 400);
