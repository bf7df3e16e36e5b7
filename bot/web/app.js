// dondoc demo page: acts as a Telegram user through the sandbox control API (/control/...).
"use strict";

const $ = (sel) => document.querySelector(sel);
const state = {
  users: [],
  userId: null,
  version: null,
  rendered: "",
  replyTo: null,
  file: null,
  busy: false,
};

async function api(path, options = {}) {
  const res = await fetch(path, options);
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok || (body && body.ok === false)) {
    const msg = (body && (body.error || body.message || body.description)) || `HTTP ${res.status}`;
    throw new Error(msg);
  }
  return body;
}

function postJson(path, data) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data || {}) });
}

let toastTimer = null;
function toast(text, kind = "info") {
  const el = $("#toast");
  el.textContent = text;
  el.className = `toast ${kind}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, kind === "alert" ? 7000 : 3500);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c) node.append(c);
  return node;
}

function fmtTime(unix) {
  const d = new Date(unix * 1000);
  return d.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });
}

function fmtSize(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// ---------------------------------------------------------------- members
async function loadUsers() {
  let body;
  try { body = await api("/control/users"); } catch (e) { return; }
  const users = body.users || [];
  const key = JSON.stringify(users);
  if (key === JSON.stringify(state.users)) return;
  state.users = users;
  const select = $("#member-select");
  const current = state.userId ?? Number(localStorage.getItem("dondoc.member")) ?? null;
  select.innerHTML = "";
  select.append(el("option", { value: "", text: users.length ? "— Chọn thành viên —" : "(chưa có thành viên)" }));
  for (const u of users) {
    const label = u.description ? `${u.name} — ${u.description}` : u.name;
    select.append(el("option", { value: String(u.user_id), text: label + (u.blocked ? " (đã chặn bot)" : "") }));
  }
  if (current && users.some((u) => u.user_id === current)) {
    select.value = String(current);
    if (state.userId !== current) selectUser(current);
  } else {
    updateMemberInfo();
  }
}

function updateMemberInfo() {
  const u = state.users.find((x) => x.user_id === state.userId);
  const info = $("#member-info");
  info.innerHTML = "";
  if (!u) { $("#chat-sub").textContent = "bot"; return; }
  info.append(el("div", { class: "member-name", text: u.name }));
  if (u.description) info.append(el("div", { class: "member-desc", text: u.description }));
  info.append(el("div", { class: "member-id", text: `Telegram ID ${u.user_id}` + (u.username ? ` · @${u.username}` : "") }));
  $("#chat-sub").textContent = `bot · bạn là ${u.name}`;
}

function selectUser(id) {
  state.userId = id || null;
  state.version = null;
  state.rendered = "";
  state.replyTo = null;
  $("#reply-banner").hidden = true;
  if (id) localStorage.setItem("dondoc.member", String(id));
  updateMemberInfo();
  $("#messages").innerHTML = "";
  $("#messages").append(el("div", { class: "empty", id: "empty-state", text: id ? "Đang tải…" : "Chọn một thành viên để bắt đầu trò chuyện với bot." }));
  refresh();
  loadCommands();
}

// ---------------------------------------------------------------- commands menu
async function loadCommands() {
  const box = $("#commands");
  if (!state.userId) { box.innerHTML = ""; return; }
  let body;
  try { body = await api(`/control/commands?chat_id=${state.userId}`); } catch (e) { return; }
  box.innerHTML = "";
  for (const c of body.commands || []) {
    box.append(el("button", {
      type: "button", class: "command-chip", title: c.description, "data-command": c.command,
      onclick: () => { const input = $("#message-input"); input.value = `/${c.command} `; input.focus(); },
    }, el("span", { class: "command-name", text: `/${c.command}` }), el("span", { class: "command-desc", text: c.description })));
  }
  if (!box.children.length) box.append(el("div", { class: "muted", text: "Bot chưa đăng ký lệnh nào." }));
}

// ---------------------------------------------------------------- messages
async function refresh() {
  const id = state.userId;
  if (!id) return;
  let body;
  try { body = await api(`/control/messages?chat_id=${id}&all=1`); } catch (e) { return; }
  if (id !== state.userId) return;
  const key = JSON.stringify(body.messages);
  if (key === state.rendered) return;
  state.rendered = key;
  render(body.messages);
}

function render(messages) {
  const box = $("#messages");
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  box.innerHTML = "";
  if (!messages.length) {
    box.append(el("div", { class: "empty", id: "empty-state", text: "Chưa có tin nhắn. Hãy gửi /start để bắt đầu." }));
    return;
  }
  const byId = new Map(messages.map((m) => [m.message_id, m]));
  for (const m of messages) box.append(renderMessage(m, byId));
  if (nearBottom || !box.dataset.scrolled) {
    box.scrollTop = box.scrollHeight;
    box.dataset.scrolled = "1";
  }
}

function renderMessage(m, byId) {
  const who = m.from_bot ? "bot" : "user";
  const bubble = el("div", { class: "bubble" });
  if (m.reply_to_message_id) {
    const r = byId.get(m.reply_to_message_id);
    const preview = r ? (r.text || r.caption || (r.document && r.document.file_name) || "Ảnh") : "tin nhắn";
    bubble.append(el("div", { class: "quote", text: preview.slice(0, 120) }));
  }
  if (m.photo) {
    bubble.append(el("a", { href: m.photo.url, target: "_blank", rel: "noopener" },
      el("img", { class: "photo", src: m.photo.url, alt: "Ảnh" })));
  }
  if (m.document) {
    const d = m.document;
    bubble.append(el("a", {
      class: "file-link", href: d.url, download: d.file_name || "tep", "data-file-id": d.file_id,
    }, el("span", { class: "file-icon", text: "📄" }),
    el("span", { class: "file-meta" }, el("span", { class: "file-name", text: d.file_name || "tệp" }),
      el("span", { class: "file-size", text: `${fmtSize(d.file_size || 0)} · tải về` }))));
  }
  const html = m.html || "";
  if (html) {
    const t = el("div", { class: "text" });
    t.innerHTML = html; // sanitised by the sandbox: escaped text + a fixed set of tags
    bubble.append(t);
  }
  const meta = el("div", { class: "meta" });
  if (m.edited) meta.append(el("span", { class: "edited", text: "đã sửa · " }));
  meta.append(el("span", { text: fmtTime(m.date) }));
  if (m.from_bot) {
    meta.append(el("button", {
      type: "button", class: "link-button reply-link", text: " · trả lời",
      onclick: () => setReply(m),
    }));
  }
  bubble.append(meta);
  const wrap = el("div", { class: `message ${who}`, "data-message-id": String(m.message_id), "data-testid": `message-${m.message_id}` }, bubble);
  const kb = m.reply_markup && m.reply_markup.inline_keyboard;
  if (kb && kb.length) {
    const keyboard = el("div", { class: "inline-keyboard" });
    for (const row of kb) {
      const r = el("div", { class: "keyboard-row" });
      for (const b of row) {
        if (b.url) {
          r.append(el("a", { class: "inline-button url", href: b.url, target: "_blank", rel: "noopener", text: `${b.text} ↗` }));
        } else {
          r.append(el("button", {
            type: "button", class: "inline-button", text: b.text, "data-callback": b.callback_data || "",
            onclick: (ev) => pressButton(m.message_id, b.callback_data, ev.currentTarget),
          }));
        }
      }
      keyboard.append(r);
    }
    wrap.append(keyboard);
  }
  return wrap;
}

function setReply(m) {
  state.replyTo = m.message_id;
  $("#reply-preview").textContent = (m.text || m.caption || "tin nhắn").slice(0, 80);
  $("#reply-banner").hidden = false;
  $("#message-input").focus();
}

async function pressButton(messageId, data, button) {
  if (!state.userId || !data) return;
  button.classList.add("pressed");
  button.disabled = true;
  try {
    const body = await postJson("/control/press_button", { user_id: state.userId, message_id: messageId, callback_data: data });
    refreshSoon();
    const ans = await api(`/control/callback_answer?query_id=${encodeURIComponent(body.query_id)}&wait=10`);
    if (ans.answer && ans.answer.text) toast(ans.answer.text, ans.answer.show_alert ? "alert" : "info");
  } catch (e) {
    toast(`Không bấm được nút: ${e.message}`, "error");
  } finally {
    button.disabled = false;
    button.classList.remove("pressed");
    refresh();
  }
}

// ---------------------------------------------------------------- sending
async function send(ev) {
  if (ev) ev.preventDefault();
  if (!state.userId) { toast("Hãy chọn một thành viên trước.", "error"); return; }
  const input = $("#message-input");
  const text = input.value.trim();
  if (!text && !state.file) return;
  const button = $("#send-button");
  button.disabled = true;
  try {
    if (state.file) {
      const form = new FormData();
      form.append("user_id", String(state.userId));
      if (text) form.append("caption", text);
      if (state.replyTo) form.append("reply_to_message_id", String(state.replyTo));
      form.append("file", state.file, state.file.name);
      await api("/control/send_document", { method: "POST", body: form });
      clearFile();
    } else {
      await postJson("/control/send_text", { user_id: state.userId, text, reply_to_message_id: state.replyTo });
    }
    input.value = "";
    autosize();
    state.replyTo = null;
    $("#reply-banner").hidden = true;
    refresh();
    refreshSoon();
  } catch (e) {
    toast(`Không gửi được: ${e.message}`, "error");
  } finally {
    button.disabled = false;
    input.focus();
  }
}

function clearFile() {
  state.file = null;
  $("#file-input").value = "";
  $("#attachment-banner").hidden = true;
}

function autosize() {
  const input = $("#message-input");
  input.style.height = "auto";
  input.style.height = Math.min(input.scrollHeight, 160) + "px";
}

let soon = null;
function refreshSoon() {
  clearTimeout(soon);
  soon = setTimeout(refresh, 250);
}

// ---------------------------------------------------------------- clock
async function advanceClock() {
  const button = $("#advance-clock");
  const status = $("#clock-status");
  button.disabled = true;
  status.textContent = "Đang tua đồng hồ…";
  try {
    const body = await postJson("/control/action/advance_clock", {});
    const msg = body.message || (body.result && body.result.message) || "Đã tua đồng hồ.";
    status.textContent = msg;
    toast(msg);
    refresh();
    refreshSoon();
  } catch (e) {
    status.textContent = e.message.includes("no action")
      ? "Bản chạy thử này chưa bật chức năng tua đồng hồ."
      : `Không tua được: ${e.message}`;
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- wiring
function init() {
  $("#member-select").addEventListener("change", (e) => selectUser(Number(e.target.value) || null));
  $("#composer").addEventListener("submit", send);
  $("#message-input").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
  });
  $("#message-input").addEventListener("input", autosize);
  $("#file-input").addEventListener("change", (e) => {
    const f = e.target.files && e.target.files[0];
    state.file = f || null;
    $("#attachment-name").textContent = f ? `${f.name} (${fmtSize(f.size)})` : "";
    $("#attachment-banner").hidden = !f;
  });
  $("#attachment-cancel").addEventListener("click", clearFile);
  $("#reply-cancel").addEventListener("click", () => { state.replyTo = null; $("#reply-banner").hidden = true; });
  $("#advance-clock").addEventListener("click", advanceClock);
  loadUsers();
  setInterval(loadUsers, 3000);
  setInterval(refresh, 1000);
  setInterval(loadCommands, 10000);
}

document.addEventListener("DOMContentLoaded", init);
