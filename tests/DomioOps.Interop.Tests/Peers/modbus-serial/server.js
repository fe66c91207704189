// modbus-serial's ServerTCP on 127.0.0.1:PORT, unit 1, 1000 entries per table with values the tests know:
//   holding[i] = i * 5, input[i] = 2000 + i, coil[i] = (i % 2 == 0), discrete[i] = (i % 4 == 0).
// An address past the tables answers exception 02. Prints "listening <port>" when ready.
// Usage: node server.js PORT
"use strict";
const ModbusRTU = require("modbus-serial");

const port = Number(process.argv[2]);
const size = 1000;
const holding = Array.from({ length: size }, (_, i) => (i * 5) & 0xffff);
const input = Array.from({ length: size }, (_, i) => 2000 + i);
const coils = Array.from({ length: size }, (_, i) => i % 2 === 0);
const discrete = Array.from({ length: size }, (_, i) => i % 4 === 0);

function check(address) {
    if (address < 0 || address >= size) {
        throw { modbusErrorCode: 0x02, msg: "Illegal data address" };
    }
}

const vector = {
    getInputRegister: (address) => { check(address); return input[address]; },
    getHoldingRegister: (address) => { check(address); return holding[address]; },
    getCoil: (address) => { check(address); return coils[address]; },
    getDiscreteInput: (address) => { check(address); return discrete[address]; },
    setRegister: (address, value) => { check(address); holding[address] = value; },
    setCoil: (address, value) => { check(address); coils[address] = value; },
};

const server = new ModbusRTU.ServerTCP(vector, { host: "127.0.0.1", port, unitID: 1 });
server.on("initialized", () => console.log(`listening ${port}`));
server.on("serverError", (e) => { console.error(`server error: ${e}`); process.exit(1); });
server.on("socketError", (e) => console.error(`socket error: ${e}`));
