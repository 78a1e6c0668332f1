// Live lists for "Ask the panel": the projector's screen and the moderator's page poll a JSON
// list every few seconds and redraw in place, without reloading. Text goes in through
// textContent only, so a question can never become markup.
"use strict";

const EVERY_MS = 2000;

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

async function fetchJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
  if (!response.ok) throw new Error(String(response.status));
  return response.json();
}

function startScreen(list) {
  const empty = document.getElementById("screen-empty");
  async function refresh() {
    try {
      const data = await fetchJson(list.dataset.source);
      list.replaceChildren(
        ...data.questions.map((q) => {
          const item = el("li", { "data-id": String(q.id) });
          item.append(el("span", { class: "votes" }, "▲ " + q.upvotes), " ", el("span", { class: "text", dir: "auto" }, q.text));
          return item;
        })
      );
      if (empty) empty.hidden = data.questions.length > 0;
    } catch (error) {
      // The room's network blinks: keep showing what was there and try again.
    }
  }
  setInterval(refresh, EVERY_MS);
}

function startModeration(live) {
  const csrf = live.dataset.csrf;
  const code = live.dataset.code;
  // The buttons' labels in the page's language, from the page itself: {status: [[action, label]]}.
  const actionsByStatus = JSON.parse(live.dataset.actions);
  const reportsWord = live.dataset.reports;
  function item(q) {
    const li = el("li", { class: "qa-item" + (q.reports ? " reported" : ""), "data-id": String(q.id) });
    li.append(el("p", { class: "qa-text", dir: "auto" }, q.text));
    li.append(el("p", { class: "qa-meta" }, "▲ " + q.upvotes + (q.reports ? " · ⚑ " + q.reports + " " + reportsWord : "")));
    const actions = el("div", { class: "qa-actions" });
    for (const [action, label] of actionsByStatus[q.status]) {
      const form = el("form", { class: "inline", method: "post", action: `/qa/${code}/questions/${q.id}/${action}` });
      form.append(el("input", { type: "hidden", name: "csrf_token", value: csrf }));
      form.append(el("button", { type: "submit", class: action === "hide" ? "danger" : "", "data-action": action }, label));
      actions.append(form);
    }
    li.append(actions);
    return li;
  }
  async function refresh() {
    try {
      const data = await fetchJson(live.dataset.source);
      for (const column of document.querySelectorAll(".qa-column")) {
        const questions = data[column.dataset.status] || [];
        column.querySelector(".qa-list").replaceChildren(...questions.map(item));
        column.querySelector(".count").textContent = String(questions.length);
      }
    } catch (error) {
      // Signed out or offline: the next round tries again; the forms still work without this.
    }
  }
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.closest(".qa-column")) return;
    event.preventDefault();
    await fetch(form.action, { method: "POST", headers: { "X-CSRF-Token": csrf, Accept: "application/json" } });
    await refresh();
  });
  setInterval(refresh, EVERY_MS);
}

document.addEventListener("DOMContentLoaded", () => {
  const screen = document.getElementById("screen-questions");
  if (screen) startScreen(screen);
  const live = document.getElementById("live");
  if (live) startModeration(live);
});
