"use strict";

const texts = {
  en: {
    title: "Machines", connecting: "connecting…", connected: "live", disconnected: "reconnecting…",
    empty: "No machine has reported yet.", pieces: "Pieces", since: "In state since", updated: "Updated",
    Offline: "Offline", Standby: "Standby", Ready: "Ready", Working: "Working", Error: "Error",
  },
  ru: {
    title: "Станки", connecting: "подключение…", connected: "в реальном времени", disconnected: "переподключение…",
    empty: "Ни один станок ещё не передал данные.", pieces: "Детали", since: "В состоянии с", updated: "Обновлено",
    Offline: "Выключен", Standby: "Ожидание", Ready: "Готов", Working: "В работе", Error: "Авария",
  },
};

let language = localStorage.getItem("language") || (navigator.language.startsWith("ru") ? "ru" : "en");
let connection = "connecting";
const machines = new Map();
const list = document.getElementById("machines");
const t = (key) => texts[language][key] ?? key;
const time = (value) => value ? new Date(value).toLocaleTimeString(language) : "—";

function render(machine) {
  let card = list.querySelector(`[data-machine="${CSS.escape(machine.id)}"]`);
  if (!card) {
    card = document.getElementById("machine-card").content.firstElementChild.cloneNode(true);
    card.dataset.machine = machine.id;
    list.append(card);
    translate(card);
  }
  card.dataset.state = machine.state;
  card.querySelector(".name").textContent = machine.id;
  card.querySelector(".state").textContent = t(machine.state);
  card.querySelector(".pieces").textContent = machine.pieceCount;
  card.querySelector(".since").textContent = time(machine.stateSince);
  card.querySelector(".updated").textContent = time(machine.updatedAt);
  document.getElementById("empty").hidden = true;
}

function update(machine) {
  const known = machines.get(machine.id);
  if (known && known.updatedAt && machine.updatedAt && known.updatedAt > machine.updatedAt) return;
  machines.set(machine.id, machine);
  render(machine);
}

function translate(root) {
  root.querySelectorAll("[data-i18n]").forEach((element) => { element.textContent = t(element.dataset.i18n); });
}

function showConnection(state) {
  connection = state;
  const element = document.getElementById("connection");
  element.dataset.state = state;
  element.textContent = t(state);
}

async function loadAll() {
  const response = await fetch("/api/machines");
  if (response.ok) (await response.json()).forEach(update);
}

document.getElementById("language").addEventListener("click", () => {
  language = language === "en" ? "ru" : "en";
  localStorage.setItem("language", language);
  applyLanguage();
});

function applyLanguage() {
  document.documentElement.lang = language;
  document.getElementById("language").textContent = language === "en" ? "RU" : "EN";
  translate(document);
  showConnection(connection);
  machines.forEach(render);
}

// Signed in? Otherwise to the sign-in page; a person whose role requires two-factor and who has not set it up goes to their account page.
async function start() {
  const response = await fetch("/api/account/me");
  if (response.status === 401) { location.href = "sign-in.html?return=/"; return; }
  const me = response.ok ? await response.json() : null;
  if (me && !me.twoFactorSatisfied) { location.href = "account.html"; return; }
  document.getElementById("account").textContent = me?.operator ? `${me.userName} · ${me.operator}` : me?.userName ?? "";
  connect();
}

const connect = () => new MachineHubConnection("/hubs/machines", {
  onConnected: () => { showConnection("connected"); loadAll(); },
  onDisconnected: () => showConnection("disconnected"),
  MachineChanged: update,
}).start();

applyLanguage();
start();
