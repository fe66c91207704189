"use strict";

const texts = {
  en: {
    title: "Sign in", userName: "User name", password: "Password", signIn: "Sign in",
    codeHint: "Enter the 6-digit code from your authenticator app, or one of your recovery codes.",
    code: "Code", recovery: "This is a recovery code", verify: "Verify",
    failed: "Wrong user name, password or code (a code works once: wait for the next one).", locked: "Too many failed attempts: the account is locked for a while.",
    limited: "Too many attempts from this address: wait a minute.", error: "Sign-in is not available right now.",
  },
  ru: {
    title: "Вход", userName: "Имя пользователя", password: "Пароль", signIn: "Войти",
    codeHint: "Введите 6-значный код из приложения-аутентификатора или один из резервных кодов.",
    code: "Код", recovery: "Это резервный код", verify: "Проверить",
    failed: "Неверное имя пользователя, пароль или код (код действует один раз: дождитесь следующего).", locked: "Слишком много неудачных попыток: учётная запись временно заблокирована.",
    limited: "Слишком много попыток с этого адреса: подождите минуту.", error: "Вход сейчас недоступен.",
  },
};

let language = localStorage.getItem("language") || (navigator.language.startsWith("ru") ? "ru" : "en");
const t = (key) => texts[language][key] ?? key;
const back = () => {
  const target = new URLSearchParams(location.search).get("return") || "/";
  location.href = target.startsWith("/") && !target.startsWith("//") ? target : "/";
};

function applyLanguage() {
  document.documentElement.lang = language;
  document.getElementById("language").textContent = language === "en" ? "RU" : "EN";
  document.querySelectorAll("[data-i18n]").forEach((element) => { element.textContent = t(element.dataset.i18n); });
}

function showError(status) {
  const element = document.getElementById("error");
  element.textContent = t(status === 423 ? "locked" : status === 429 ? "limited" : status === 401 ? "failed" : "error");
  element.hidden = false;
}

async function post(path, body) {
  const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: response.ok ? await response.json() : null };
}

document.getElementById("password-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const { status, body } = await post("/api/account/sign-in", {
    userName: document.getElementById("user-name").value, password: document.getElementById("password").value,
  });
  if (status !== 200) return showError(status);
  document.getElementById("error").hidden = true;
  if (body.requiresTwoFactor) {
    document.getElementById("password-form").hidden = true;
    document.getElementById("code-form").hidden = false;
    document.getElementById("code").focus();
  } else {
    back();
  }
});

document.getElementById("code-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const code = document.getElementById("code").value;
  const recovery = document.getElementById("is-recovery").checked;
  const { status } = await post("/api/account/sign-in/two-factor", recovery ? { recoveryCode: code } : { code });
  if (status !== 200) return showError(status);
  back();
});

document.getElementById("language").addEventListener("click", () => {
  language = language === "en" ? "ru" : "en";
  localStorage.setItem("language", language);
  applyLanguage();
});

applyLanguage();
