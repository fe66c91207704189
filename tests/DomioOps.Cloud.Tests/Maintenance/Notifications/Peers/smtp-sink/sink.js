// The SMTP sink of the notification tests: smtp-server (nodemailer's) on 127.0.0.1:PORT, without TLS or AUTH. Each
// message is stored whole as DIR/<n>.eml (written to a temporary name first, renamed when complete) before the server
// answers 250, so a client that saw its message accepted finds the file. A recipient whose address starts with "retry"
// is answered 451 (a transient refusal) the first time it is given, and one starting with "refuse" 550 every time.
"use strict";
const { SMTPServer } = require("smtp-server");
const fs = require("fs");
const path = require("path");

const [port, dir] = process.argv.slice(2);
const refusedOnce = new Set();
let stored = 0;

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  onRcptTo(address, session, callback) {
    const mailbox = address.address.toLowerCase();
    if (mailbox.startsWith("refuse")) {
      const error = new Error("No such mailbox");
      error.responseCode = 550;
      return callback(error);
    }
    if (mailbox.startsWith("retry") && !refusedOnce.has(mailbox)) {
      refusedOnce.add(mailbox);
      const error = new Error("Try again later");
      error.responseCode = 451;
      return callback(error);
    }
    callback();
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on("data", (chunk) => chunks.push(chunk));
    stream.on("end", () => {
      stored += 1;
      const file = path.join(dir, `${stored}.eml`);
      fs.writeFileSync(file + ".tmp", Buffer.concat(chunks));
      fs.renameSync(file + ".tmp", file);
      console.log(`stored ${file}`);
      callback();
    });
  },
});

server.on("error", (error) => console.error(`sink error: ${error.message}`));
server.listen(Number(port), "127.0.0.1", () => console.log(`smtp sink listening on ${port}`));
