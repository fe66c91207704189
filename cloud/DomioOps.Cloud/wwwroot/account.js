"use strict";

const texts = {
  en: {
    title: "Account", machines: "Machines", twoFactor: "Two-factor sign-in", enabled: "Enabled.", disabled: "Not enabled.",
    setupHint: "Add this key to an authenticator app (or open the link on your phone), then enter the code it shows.",
    link: "authenticator link", code: "Code", enable: "Enable", signOut: "Sign out",
    codesHint: "Recovery codes: keep them somewhere safe; each works once.", wrongCode: "The code does not match.",
    required: "Your role requires two-factor sign-in: set it up to continue.",
  },
  ru: {
    title: "Учётная запись", machines: "Станки", twoFactor: "Двухфакторный вход", enabled: "Включён.", disabled: "Не включён.",
    setupHint: "Добавьте этот ключ в приложение-аутентификатор (или откройте ссылку на телефоне) и введите показанный код.",
    link: "ссылка для аутентификатора", code: "Код", enable: "Включить", signOut: "Выйти",
    codesHint: "Резервные коды: храните их в надёжном месте; каждый действует один раз.", wrongCode: "Код не совпадает.",
    required: "Ваша роль требует двухфакторного входа: настройте его, чтобы продолжить.",
  },
};

let language = localStorage.getItem("language") || (navigator.language.startsWith("ru") ? "ru" : "en");
let status = null;
const t = (key) => texts[language][key] ?? key;

// State-changing calls of a signed-in session carry its antiforgery token (asked for once, sent in a header).
let antiforgery = null;
async function post(path, body) {
  if (!antiforgery) antiforgery = await (await fetch("/api/account/antiforgery")).json();
  const headers = { [antiforgery.headerName]: antiforgery.value };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return fetch(path, { method: "POST", headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

function applyLanguage() {
  document.documentElement.lang = language;
  document.getElementById("language").textContent = language === "en" ? "RU" : "EN";
  document.querySelectorAll("[data-i18n]").forEach((element) => { element.textContent = t(element.dataset.i18n); });
  if (status) document.getElementById("state").textContent = t(status.enabled ? "enabled" : "disabled");
}

async function load() {
  const response = await fetch("/api/account/two-factor");
  if (response.status === 401) { location.href = "sign-in.html?return=/account.html"; return; }
  if (!response.ok) return;
  status = await response.json();
  document.getElementById("required").hidden = !(status.requiredByRole && !status.enabled);
  document.getElementById("setup").hidden = status.enabled;
  // The key comes only while two-factor is being set up; once it is on, the server no longer shows it.
  document.getElementById("shared-key").textContent = (status.sharedKey ?? "").replace(/(.{4})/g, "$1 ").trim();
  if (status.authenticatorUri) document.getElementById("authenticator-uri").href = status.authenticatorUri;
  applyLanguage();
}

document.getElementById("enable-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await post("/api/account/two-factor/enable", { code: document.getElementById("code").value });
  const error = document.getElementById("error");
  if (!response.ok) { error.textContent = t("wrongCode"); error.hidden = false; return; }
  error.hidden = true;
  document.getElementById("recovery-codes").textContent = (await response.json()).join("\n");
  document.getElementById("codes").hidden = false;
  await load();
});

document.getElementById("sign-out").addEventListener("click", async () => {
  await post("/api/account/sign-out");
  location.href = "sign-in.html";
});

document.getElementById("language").addEventListener("click", () => {
  language = language === "en" ? "ru" : "en";
  localStorage.setItem("language", language);
  applyLanguage();
});

applyLanguage();
load();
