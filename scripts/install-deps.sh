#!/usr/bin/env bash
# Installs, from the OS package manager, what DomioOps needs and the machine lacks.
#   install-deps.sh run    what the running system needs (PostgreSQL server; socat for the simulated edgebander's serial line; openssl for the key ring certificate; Node.js and npm for the web application's front-end build; Tesseract with Russian and English and poppler-utils for the text of office documents)
#   install-deps.sh test   what the tests need (PostgreSQL, Mosquitto, socat, Chromium, libmodbus, mbpoll, Node.js, InfluxDB, VictoriaMetrics)
set -euo pipefail
profile=${1:-test}

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }

have_pg || need+=(postgresql)
have_cmd socat || need+=(socat)
have_cmd openssl || need+=(openssl)
have_cmd node || need+=(nodejs)
have_cmd npm || need+=(npm)
# Office documents' text (Office/Documents/): OCR of scans and images, the text layer of PDFs.
have_cmd tesseract || need+=(tesseract-ocr)
ls /usr/share/tesseract-ocr/*/tessdata/rus.traineddata >/dev/null 2>&1 || need+=(tesseract-ocr-rus)
ls /usr/share/tesseract-ocr/*/tessdata/eng.traineddata >/dev/null 2>&1 || need+=(tesseract-ocr-eng)
have_cmd pdftotext || need+=(poppler-utils)
# Quote PDFs (Office/Quotes/): DejaVu Sans embedded for Cyrillic.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ "$profile" = test ]; then
  have_cmd mosquitto || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
  have_cmd mosquitto_sub || need+=(mosquitto-clients)
  have_cmd chromium || [ -x /usr/bin/chromium ] || need+=(chromium)
  have_cmd mbpoll || need+=(mbpoll)
  [ -f /usr/include/modbus/modbus.h ] || need+=(libmodbus-dev)
  have_cmd gcc || need+=(gcc)
  have_cmd influxd || need+=(influxdb)
  have_cmd victoria-metrics || need+=(victoria-metrics)
fi

if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "install-deps: installing ${need[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y --no-install-recommends "${need[@]}" >/tmp/domio-apt.log 2>&1 || {
  $sudo apt-get update >/tmp/domio-apt-update.log 2>&1
  $sudo apt-get install -y --no-install-recommends "${need[@]}" >/tmp/domio-apt.log 2>&1 \
    || { echo "install-deps: apt-get install failed, see /tmp/domio-apt.log" >&2; tail -n 20 /tmp/domio-apt.log >&2; exit 1; }
}
